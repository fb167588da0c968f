// Whether receivers will send DMARC reports to the addresses a record names.
// A destination outside the policy's organisation must publish
// <policy-domain>._report._dmarc.<destination> ("Verifying External
// Destinations" in RFC 9990 for aggregate and RFC 9991 for failure reports),
// or receivers send it nothing.
import { describeAnswer, joinTxt, type DnsClient } from '../net/dns/index.js';
import { isDmarcRecord, type DmarcRecord } from './dmarc-record.js';
import { organizationalDomain, walkDmarcTree } from './dmarc-discovery.js';

export interface ReportDestination {
  tag: 'rua' | 'ruf';
  uri: string;
  domain: string;
  /** Organizational Domain of the destination, by the RFC 9989 tree walk. */
  organization: string;
  external: boolean;
  /** The record an external destination must publish. */
  authorizationName?: string;
  /** The authorisation lookup as seen on the wire. */
  authorizationEvidence?: string;
  /** undefined: external, but the lookup failed, so unknown. */
  authorized?: boolean;
}

/**
 * "External" compares Organizational Domains found by the same tree walk
 * receivers use, so reports to reports.example.com for example.com need no
 * authorisation while reports to another organisation's domain do.
 */
export async function checkReportDestinations(policyDomain: string, policyOrganization: string, record: DmarcRecord, dns: DnsClient): Promise<ReportDestination[]> {
  const uris = [...record.rua.map(u => ({ tag: 'rua' as const, ...u })), ...record.ruf.map(u => ({ tag: 'ruf' as const, ...u }))];
  return Promise.all(
    uris
      .filter(u => u.domain)
      .map(async ({ tag, uri, domain }) => {
        const organization = organizationalDomain(await walkDmarcTree(domain!, dns));
        const base = { tag, uri, domain: domain!, organization };
        if (organization === policyOrganization) return { ...base, external: false };
        const authorizationName = `${policyDomain}._report._dmarc.${domain}`;
        const answer = await dns.query(authorizationName, 'TXT');
        const known = answer.kind === 'records' || answer.kind === 'nxdomain' || answer.kind === 'nodata';
        const authorized = answer.kind === 'records' && answer.records.map(joinTxt).some(isDmarcRecord);
        return { ...base, external: true, authorizationName, authorizationEvidence: describeAnswer(authorizationName, 'TXT', answer), ...(known ? { authorized } : {}) };
      }),
  );
}
