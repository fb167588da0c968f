// DANE for SMTP (RFC 7672): the TLSA records at _25._tcp.<mx host> against the
// certificates each MX address presents after STARTTLS, as a DANE sender
// compares them (usages 3 and 2 only, RFC 7672 §3.1).
import { createHash, X509Certificate } from 'node:crypto';
import { describeAnswer, formatRecord, type TlsaRecord } from '../net/dns/index.js';
import type { TlsSession } from '../pipeline/facts.js';
import { defineCheck, finding, type Finding } from './define.js';

const DANE_TA = 2;
const DANE_EE = 3;
const DIGEST_LENGTH: Record<number, number> = { 1: 32, 2: 64 };

/** RFC 7672 §3.1.3: PKIX usages (0, 1) and unknown parameters are "unusable", as if absent. */
export function isUsableTlsa(record: TlsaRecord): boolean {
  if (record.usage !== DANE_TA && record.usage !== DANE_EE) return false;
  if (record.selector !== 0 && record.selector !== 1) return false;
  if (record.matchingType === 0) return record.data.length > 0;
  return record.data.length === DIGEST_LENGTH[record.matchingType];
}

/** RFC 6698 §2.1: DANE-EE matches the server certificate, DANE-TA a CA certificate the server sent. */
export function tlsaMatches(record: TlsaRecord, chain: Buffer[]): boolean {
  const candidates = record.usage === DANE_EE ? chain.slice(0, 1) : chain.slice(1);
  return candidates.some(der => associationData(record, der).equals(record.data));
}

function associationData(record: TlsaRecord, der: Buffer): Buffer {
  const selected = record.selector === 1 ? new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' }) : der;
  if (record.matchingType === 1) return createHash('sha256').update(selected).digest();
  if (record.matchingType === 2) return createHash('sha512').update(selected).digest();
  return selected;
}

export default defineCheck({
  id: 'dane',
  title: 'DANE TLSA records',
  targets: ['domain'],
  needs: ['tlsSessions'],
  provides: ['daneVerified'],
  emits: ['dane.tlsa-mismatch'],
  async run({ tlsSessions }, { net }) {
    const hosts = [...new Set(tlsSessions.map(s => s.host))];
    const judged = await Promise.all(
      hosts.map(async host => {
        const name = `_25._tcp.${host}`;
        const answer = await net.dns.query(name, 'TLSA');
        const sessions = tlsSessions.filter(s => s.host === host);
        if (answer.kind !== 'records') return { data: { host, tlsa: answer.kind }, findings: [], verified: false };
        return judgeHost(host, answer.records, answer.ad, sessions, describeAnswer(name, 'TLSA', answer));
      }),
    );
    const daneVerified = judged.flatMap(j => (j.verified ? [j.data.host] : []));
    return { findings: judged.flatMap(j => j.findings), data: { hosts: judged.map(j => j.data) }, provided: { daneVerified } };
  },
});

/** One host's TLSA records against its sessions; `verified`: validated, and every session's key matches a DANE-EE record. */
function judgeHost(host: string, records: TlsaRecord[], validated: boolean, sessions: TlsSession[], evidence: string): { data: Record<string, unknown> & { host: string }; findings: Finding[]; verified: boolean } {
  const usable = records.filter(isUsableTlsa);
  const shown = records.map(r => formatRecord('TLSA', r));
  const base = { host, tlsa: shown, dnssecValidated: validated };
  if (!usable.length) return { data: { ...base, usable: false }, findings: [], verified: false };
  const results = sessions.map(s => ({ ip: s.ip, matched: usable.filter(r => tlsaMatches(r, s.chain)).map(r => formatRecord('TLSA', r)) }));
  const failing = results.filter(r => !r.matched.length);
  const data = { ...base, usable: true, addresses: results };
  const verified = validated && sessions.length > 0 && sessions.every(s => usable.some(r => r.usage === DANE_EE && tlsaMatches(r, s.chain)));
  if (!failing.length) return { data, findings: [], verified };
  const ips = failing.map(f => f.ip);
  // Without the AD bit we cannot tell a signed zone from an unsigned one, and DANE senders only act on signed TLSA (RFC 7672 §2.2).
  return {
    data,
    verified: false,
    findings: [
      finding('dane.tlsa-mismatch', validated ? 'noMatch' : 'noMatchUnvalidated', { dnssecValidated: validated, host, ips }, {
        subjects: [host, ...ips],
        evidence: [evidence, ...certificateEvidence(sessions, ips)],
        ...(validated ? {} : { severity: 'warning' as const }),
      }),
    ],
  };
}

/** What the server's certificate would need in a "3 1 1" record, so the fix can be copied. */
function certificateEvidence(sessions: TlsSession[], ips: string[]): string[] {
  return sessions
    .filter(s => ips.includes(s.ip) && s.chain[0])
    .map(s => `${s.host} (${s.ip}) presents a key whose "3 1 1" data is ${associationData({ usage: DANE_EE, selector: 1, matchingType: 1, data: Buffer.alloc(0) }, s.chain[0]!).toString('hex')}`);
}
