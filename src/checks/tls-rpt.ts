// TLS reporting (RFC 8460): the _smtp._tls TXT record that tells senders where
// to report failed encrypted deliveries. It matters once the domain asks for
// authenticated TLS with MTA-STS or DANE, so those records are looked up too.
import { describeAnswer, joinTxt } from '../net/dns/index.js';
import { defineCheck, finding, type MessageOf } from './define.js';

/** Why the record does not count: one of tls-rpt.invalid's messages, with its data but the domain (the check adds it). */
export type TlsRptProblem = MessageOf<'tls-rpt.invalid', 'domain'>;

export type TlsRptRecord = { ok: true; rua: string[] } | { ok: false; problem: TlsRptProblem };

/** RFC 8460 §3: "v=TLSRPTv1" first, one rua= with comma-separated mailto:/https: URIs, extensions name=value. */
export function parseTlsRptRecord(text: string): TlsRptRecord {
  const [version, ...fields] = text.trim().split(/[ \t]*;[ \t]*/);
  if (version !== 'v=TLSRPTv1') return { ok: false, problem: { messageId: 'recordVersion', data: { version: version! } } };
  const ruas: string[] = [];
  for (const field of fields.filter(Boolean)) {
    const [, name, value] = /^([A-Za-z0-9][A-Za-z0-9_.-]{0,31})=(.+)$/.exec(field) ?? [];
    if (!name || !value) return { ok: false, problem: { messageId: 'recordField', data: { field } } };
    if (name === 'rua') ruas.push(value);
  }
  if (ruas.length !== 1) return { ok: false, problem: { messageId: ruas.length ? 'severalRua' : 'noRua', data: {} } };
  const uris = ruas[0]!.split(/[ \t]*,[ \t]*/);
  const bad = uris.find(uri => !isReportUri(uri));
  if (bad === '') return { ok: false, problem: { messageId: 'emptyRua', data: {} } };
  if (bad !== undefined) return { ok: false, problem: { messageId: 'badRua', data: { uri: bad } } };
  return { ok: true, rua: uris };
}

function isReportUri(uri: string): boolean {
  if (/^mailto:/i.test(uri)) return /^mailto:[^@\s,;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/i.test(uri);
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' && Boolean(url.hostname);
  } catch {
    return false;
  }
}

export default defineCheck({
  id: 'tls-rpt',
  title: 'TLS reporting (TLS-RPT)',
  targets: ['domain'],
  needs: ['domain', 'mxHosts'],
  provides: [],
  emits: ['tls-rpt.missing', 'tls-rpt.invalid'],
  async run({ domain, mxHosts }, { net }) {
    const name = `_smtp._tls.${domain}`;
    const tlsaNames = mxHosts.filter(mx => !mx.implicit).map(mx => `_25._tcp.${mx.name}`);
    const [answer, sts, ...tlsa] = await Promise.all([
      net.dns.query(name, 'TXT'),
      net.dns.query(`_mta-sts.${domain}`, 'TXT'),
      ...tlsaNames.map(n => net.dns.query(n, 'TLSA')),
    ]);
    const evidence = [describeAnswer(name, 'TXT', answer)];
    const usesMtaSts = sts.kind === 'records' && sts.records.some(r => /^v=STSv1\b/i.test(joinTxt(r).trim()));
    const usesDane = tlsa.some(t => t.kind === 'records' && t.records.length > 0);
    const uses = { mtaSts: usesMtaSts, dane: usesDane };
    if (answer.kind !== 'records' && answer.kind !== 'nodata' && answer.kind !== 'nxdomain') {
      return { findings: [], data: { lookup: answer.kind, uses }, status: 'info' };
    }
    const texts = answer.kind === 'records' ? answer.records.map(joinTxt) : [];
    // RFC 8460 §3: records not starting with the version are discarded; anything that looks like an attempt is worth a word.
    const records = texts.filter(t => t.startsWith('v=TLSRPTv1'));
    const attempts = texts.filter(t => /^\s*v\s*=\s*tlsrpt/i.test(t) || /\brua\s*=/i.test(t));
    const invalid = ({ messageId, data }: TlsRptProblem) => ({
      findings: [finding('tls-rpt.invalid', messageId, { domain, ...data }, { subjects: [name], evidence })],
      data: { records: attempts, uses },
    });
    if (records.length > 1) return invalid({ messageId: 'severalRecords', data: { count: records.length } });
    const candidate = records[0] ?? attempts[0];
    if (candidate !== undefined) {
      const parsed = parseTlsRptRecord(candidate);
      if (!parsed.ok) return invalid(parsed.problem);
      return { findings: [], data: { record: candidate, rua: parsed.rua, uses } };
    }
    if (!usesMtaSts && !usesDane) return { findings: [], data: { record: null, uses } };
    const policies = [...(usesMtaSts ? ['MTA-STS'] : []), ...(usesDane ? ['DANE'] : [])];
    return {
      findings: [finding('tls-rpt.missing', 'unreported', { domain, policies }, { subjects: [name], evidence })],
      data: { record: null, uses },
    };
  },
});
