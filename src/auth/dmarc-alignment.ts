// The DMARC verdict for one message (RFC 9989): the From domain's
// policy by the tree walk, and whether an SPF or DKIM pass is for a domain
// aligned with the From domain. mailauth 4.13 aligns with the Public Suffix
// List; RFC 9989 replaced it with Organizational Domains from the tree walk.
import type { DnsClient } from '../net/dns/index.js';
import { discoverPolicy, effectivePolicy, organizationalDomain, walkDmarcTree } from './dmarc-discovery.js';
import type { DmarcPolicy } from './dmarc-record.js';

export interface AuthenticatedIdentifiers {
  /** The MAIL FROM domain, when SPF passed for it. */
  spfDomain?: string;
  /** d= of every DKIM signature that passed. */
  dkimDomains: string[];
}

export interface DmarcVerdict {
  fromDomain: string;
  /** none: no policy applies (no record, or one without a usable policy). */
  result: 'pass' | 'fail' | 'none';
  policyDomain?: string;
  /** The DMARC record that applies, as published. */
  record?: string;
  policy?: DmarcPolicy;
  testing: boolean;
  alignedSpf?: string;
  alignedDkim?: string;
}

export async function dmarcVerdict(fromDomain: string, identifiers: AuthenticatedIdentifiers, dns: DnsClient): Promise<DmarcVerdict> {
  const walk = await walkDmarcTree(fromDomain, dns);
  const discovery = discoverPolicy(walk);
  const exists = discovery.inherited && discovery.record?.np ? await domainExists(fromDomain, dns) : true;
  const policy = effectivePolicy(discovery, exists);
  if (!policy) return { fromDomain, result: 'none', testing: false };
  const record = discovery.record!;
  const organization = discovery.organizationalDomain;
  const aligned = async (domain: string, mode: 'r' | 's') =>
    domain === fromDomain || (mode === 'r' && organizationalDomain(await walkDmarcTree(domain, dns)) === organization);
  const alignedSpf = identifiers.spfDomain && (await aligned(identifiers.spfDomain, record.aspf)) ? identifiers.spfDomain : undefined;
  let alignedDkim: string | undefined;
  for (const domain of identifiers.dkimDomains) {
    if (await aligned(domain, record.adkim)) {
      alignedDkim = domain;
      break;
    }
  }
  return {
    fromDomain,
    result: alignedSpf || alignedDkim ? 'pass' : 'fail',
    policyDomain: discovery.policyDomain!,
    record: record.text,
    policy,
    testing: record.testing,
    ...(alignedSpf ? { alignedSpf } : {}),
    ...(alignedDkim ? { alignedDkim } : {}),
  };
}

/** RFC 9989: a domain that answers NXDOMAIN for A, AAAA and MX does not exist, and np= applies. */
async function domainExists(domain: string, dns: DnsClient): Promise<boolean> {
  const answers = await Promise.all((['A', 'AAAA', 'MX'] as const).map(type => dns.query(domain, type)));
  return !answers.every(a => a.kind === 'nxdomain');
}
