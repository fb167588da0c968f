// The one adapter from maildiag's DNS client to mailauth's resolver contract
// (dns.promises.resolve semantics), so every mailauth lookup honours --resolver
// and shares the run's cache.
import type { DnsClient, RrType } from './types.js';
import { RR_TYPES } from './types.js';

const NODE_CODES = {
  nodata: 'ENODATA',
  nxdomain: 'ENOTFOUND',
  servfail: 'ESERVFAIL',
  refused: 'EREFUSED',
  timeout: 'ETIMEOUT',
  error: 'EBADRESP',
} as const;

export type MailauthResolver = (name: string, type?: string) => Promise<unknown[]>;

export function mailauthResolver(dns: DnsClient): MailauthResolver {
  return async (name, rrtype = 'A') => {
    const type = rrtype.toUpperCase() as RrType;
    if (!RR_TYPES.includes(type)) throw Object.assign(new Error(`unsupported type ${rrtype}`), { code: 'ENOTIMP' });
    const answer = await dns.query(name, type);
    if (answer.kind === 'records') {
      return type === 'MX' ? answer.records.map(r => ({ ...(r as object) })) : answer.records;
    }
    throw Object.assign(new Error(`${type} ${name}: ${answer.kind}`), { code: NODE_CODES[answer.kind] });
  };
}
