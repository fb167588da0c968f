// The human report's part for a received message (check-message, --message):
// where it came from and how the receiver and maildiag judged it, then one
// list per provider of its published sender rules. Formats the checks' data only.
import type { Report } from '../report/schema.js';
import type { ProviderInfo, RequirementRow } from '../senders/requirements.js';
import { cleanLine } from './sanitize.js';
import { wrap } from './wrap.js';


interface Hop {
  position: number;
  ip?: string;
  helo?: string;
  by?: string;
}

interface Reported {
  authservId: string;
  instance?: number;
  results: { method: string; result: string }[];
}

interface Listing {
  list: string;
  status: 'clean' | 'listed' | 'refused' | 'unknown';
}

export const VERDICT_LABEL = { met: 'met', 'not-met': 'NOT MET', 'cannot-tell': 'cannot tell' } as const;
export const APPLIES_LABEL = { all: 'All senders', bulk: 'Bulk senders' } as const;

/** The sender-rules check's rows and providers, when it ran to the end. */
export function senderRulesOf(report: Report): { rows: RequirementRow[]; providers: ProviderInfo[]; hop: Hop | null } | undefined {
  const rules = report.checks.find(c => c.id === 'sender-rules' && Array.isArray(c.data['requirements']));
  return rules && { rows: rules.data['requirements'] as RequirementRow[], providers: rules.data['providers'] as ProviderInfo[], hop: rules.data['hop'] as Hop | null };
}

export function senderRulesSection(report: Report, width: number, verbose: boolean): string[] {
  const rules = senderRulesOf(report);
  if (!rules) return [];
  const { rows, providers, hop } = rules;
  const message = report.checks.find(c => c.id === 'message')?.data ?? {};
  const listings = report.checks.find(c => c.id === 'sender-ip')?.data['results'] as Listing[] | undefined;
  const [sentFrom, ...verdicts] = messageLines(hop, message);
  const lines = [sentFrom!, ...(listings ? [blocklistLine(listings)] : []), ...verdicts];
  const out = ['', 'The message', ...lines.flatMap(l => wrap(cleanLine(l), width, ' ', '   '))];
  for (const provider of providers) {
    out.push('', `${provider.name} (${provider.source}, read ${provider.read})`, ...wrap(`Bulk sender: ${provider.bulk}`, width, ' ', '   '));
    for (const applies of ['all', 'bulk'] as const) {
      const mine = rows.filter(r => r.provider === provider.id && r.applies === applies);
      if (mine.length) out.push(` ${APPLIES_LABEL[applies]}`, ...mine.flatMap(r => requirementLines(r, width, verbose)));
    }
  }
  return out;
}

/** The verdict and the requirement on one line, the evidence (and with --verbose the fix) indented below it. */
function requirementLines(row: RequirementRow, width: number, verbose: boolean): string[] {
  const indent = ' '.repeat(15);
  const evidence = cleanLine(row.verdict === 'not-met' && verbose && row.fix ? `${row.evidence}. Fix: ${row.fix}` : row.evidence);
  return [...wrap(row.requirement, width, `  ${VERDICT_LABEL[row.verdict].padEnd(13)}`, indent), ...wrap(evidence, width, `${indent}  `, `${indent}  `)];
}

function messageLines(hop: Hop | null, message: Record<string, unknown>): string[] {
  const lines = [hop?.ip ? `Sent from ${hop.ip}${hop.helo ? ` (HELO ${hop.helo})` : ''}: Received field ${hop.position} from the top${hop.by ? `, by ${hop.by}` : ''}` : 'Sending IP unknown: no Received field from outside the receiver (a copy from the Sent folder has none: download the message from the mailbox it was sent to)'];
  const receiver = message['receiver'] as Reported | null | undefined;
  if (receiver) lines.push(`The receiver (${receiver.authservId}) reported: ${results(receiver) || 'no results'}`);
  else lines.push('No Authentication-Results field: the receiver\'s own verdicts are not in the file');
  for (const arc of (message['arc'] as Reported[] | undefined) ?? []) lines.push(`ARC i=${arc.instance} (${arc.authservId}) reported: ${results(arc) || 'no results'}`);
  lines.push(`maildiag finds: ${ownResults(message)}`);
  const differences = (message['differences'] as string[] | undefined) ?? [];
  lines.push(...(differences.length ? differences.map(d => `Differs: ${d}`) : receiver ? ['No difference from the receiver\'s verdicts'] : []));
  return lines;
}

/** The sending IP on the blocklists the sender-ip check asked: listed, clean, or not answered. */
function blocklistLine(listings: Listing[]): string {
  if (!listings.length) return 'Blocklists: none asked (--no-dnsbl)';
  const named = (status: Listing['status']) => listings.filter(l => l.status === status).map(l => l.list);
  const listed = named('listed');
  const unanswered = [...named('refused'), ...named('unknown')];
  const verdict = listed.length ? `listed on ${listed.join(', ')}` : `on none of the ${listings.length - unanswered.length} blocklists that answered`;
  return `Blocklists: ${verdict}${unanswered.length ? `; no usable answer from ${unanswered.join(', ')}` : ''}`;
}

const results = (reported: Reported): string => reported.results.map(r => `${r.method}=${r.result}`).join(' ');

function ownResults(message: Record<string, unknown>): string {
  const spf = message['spf'] as { result: string | null } | undefined;
  const dkim = (message['dkim'] as { domain: string; result: string }[] | undefined) ?? [];
  const dmarc = message['dmarc'] as { result: string | null } | undefined;
  return [
    `spf=${spf?.result ?? 'not checked'}`,
    dkim.length ? dkim.map(d => `dkim=${d.result} (d=${d.domain})`).join(' ') : 'dkim=none',
    `dmarc=${dmarc?.result ?? 'not evaluated'}`,
  ].join(' ');
}
