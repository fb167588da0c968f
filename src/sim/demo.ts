// The world of `maildiag demo`: a handful of example domains, each broken in a
// way admins meet every week, plus one healthy domain to compare with. All
// names and addresses are reserved for documentation (RFC 2606, RFC 5737).
import { generateKeyPairSync } from 'node:crypto';
import type { SimZone } from './dns-server.js';
import { createCa, createCertificate, chainPem, daysFromNow } from './tls-certs.js';
import { mailServer, type WorldSpec } from './world.js';
import type { SmtpPersona } from './smtp-server.js';

export interface DemoWorld {
  spec: WorldSpec;
  /** The world's certificate authority, to trust like --ca-file. */
  caPem: string;
  domains: { domain: string; story: string }[];
}

interface DemoDomain {
  domain: string;
  story: string;
  ip: string;
  /** Records beyond the healthy defaults, or replacing them. */
  records?: SimZone;
  server?: Partial<SmtpPersona> | 'none';
  certificate?: 'valid' | 'expired';
}

const DOMAINS: DemoDomain[] = [
  { domain: 'healthy.example', ip: '192.0.2.10', story: 'a well-run domain: nothing to fix' },
  {
    domain: 'school.example',
    ip: '192.0.2.11',
    story: 'SPF lets anyone send, and DMARC only monitors',
    records: { 'school.example': { TXT: [['v=spf1 +all']] }, '_dmarc.school.example': { TXT: [['v=DMARC1; p=none']] } },
  },
  { domain: 'relay.example', ip: '192.0.2.12', story: 'the mail server relays mail for anyone', server: { recipients: { '*': '250 2.1.5 Ok' } } },
  {
    domain: 'shop.example',
    ip: '192.0.2.13',
    story: 'the mail server is on a blocklist and its certificate expired',
    certificate: 'expired',
    records: {
      '13.2.0.192.zen.spamhaus.org': { A: ['127.0.0.2'], TXT: [['Listed by SBL, see https://check.spamhaus.org/']] },
    },
  },
  { domain: 'moved.example', ip: '192.0.2.14', story: 'the MX points at a host that no longer exists', records: { 'mx.moved.example': 'NXDOMAIN' } },
  { domain: 'office.example', ip: '192.0.2.15', story: 'the mail server is down: nothing listens on port 25', server: 'none' },
];

export function demoWorld(): DemoWorld {
  const ca = createCa('maildiag demo CA');
  const dkim = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const zone: SimZone = {};
  const smtp: Record<string, SmtpPersona> = {};
  for (const d of DOMAINS) {
    const mx = `mx.${d.domain}`;
    for (const [name, records] of Object.entries({ ...healthyRecords(d.domain, mx, d.ip, dkim) })) zone[name] = records;
    for (const [name, records] of Object.entries(d.records ?? {})) {
      const base = zone[name];
      zone[name] = typeof records === 'string' || typeof base !== 'object' ? records : { ...base, ...records };
    }
    if (d.server === 'none') continue;
    const cert = createCertificate({
      commonName: mx,
      altNames: [mx],
      issuer: ca,
      ...(d.certificate === 'expired' ? { notBefore: daysFromNow(-400), notAfter: daysFromNow(-35) } : {}),
    });
    smtp[`${d.ip}:25`] = mailServer(mx, [d.domain], { tls: { key: cert.keyPem, cert: chainPem(cert) }, ...(d.server ?? {}) });
  }
  return { spec: { zone, smtp }, caPem: ca.certPem, domains: DOMAINS.map(({ domain, story }) => ({ domain, story })) };
}

/** What a well-configured domain publishes: MX, FCrDNS, SPF, DKIM, DMARC with reports. */
function healthyRecords(domain: string, mx: string, ip: string, dkimKey: string): SimZone {
  return {
    [domain]: { MX: [{ priority: 10, exchange: mx }], TXT: [['v=spf1 mx -all']] },
    [mx]: { A: [ip] },
    [`${ip.split('.').reverse().join('.')}.in-addr.arpa`]: { PTR: [mx] },
    [`default._domainkey.${domain}`]: { TXT: [['v=DKIM1; k=rsa; p=', ...(dkimKey.match(/.{1,255}/g) ?? [])]] },
    [`_dmarc.${domain}`]: { TXT: [[`v=DMARC1; p=reject; rua=mailto:dmarc@${domain}`]] },
  };
}
