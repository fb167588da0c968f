// MTA log lines: Postfix (smtp/lmtp/local/qmgr/smtpd), Exim main log, Sendmail.
// Each line with a delivery outcome becomes one segment.
import type { Segment } from './types.js';

export const MAX_LOG_ENTRIES = 1000;

interface LogLineParser {
  test: RegExp;
  parse(line: string): Segment | 'skip';
}

const field = (line: string, name: string) => line.match(new RegExp(`(?:^|[\\s,])${name}=([^,\\s]+)`))?.[1];
// A dsn= field is an enhanced status code (RFC 3463) or nothing: anything else is not the MTA's word and must not reach a report.
const dsnCode = (line: string) => field(line, 'dsn')?.match(/^[245]\.\d{1,3}\.\d{1,3}$/)?.[0];
const angle = (value: string | undefined) => value?.replace(/^<|>$/g, '') || undefined;

// Postfix: "... postfix/smtp[123]: QID: to=<a@b>, relay=host[ip]:25, ..., dsn=5.1.1, status=bounced (reason)"
const postfix: LogLineParser = {
  test: /\bpostfix(?:-[\w.-]+)?\/[\w/-]+\[\d+\]:/,
  parse(line) {
    const status = line.match(/\bstatus=(\w+)/)?.[1];
    if (status === 'sent' || status === 'delivered') return 'skip';
    const reason = line.match(/\bstatus=\w+,? \((.*)\)\s*$/)?.[1] ?? line.match(/\bstatus=(expired[^(]*)$/)?.[1];
    const reject = line.match(/: (?:NOQUEUE|[0-9A-Za-z]+): (?:reject|milter-reject|discard): (.*)$/)?.[1];
    const connectFailure = line.match(/\]: (connect to .*|.*Connection (?:timed out|refused).*)$/)?.[1];
    const text = reason ?? reject ?? (status ? `status=${status}` : connectFailure);
    if (!text) return 'skip';
    const relay = field(line, 'relay');
    return {
      recipient: angle(field(line, 'to')),
      action: status,
      status: dsnCode(line),
      remoteMta: relay && relay !== 'none' ? relay.replace(/:\d+$/, '') : undefined,
      clauses: [{ text: status === 'expired' ? `status=expired ${text}` : text, weight: 1 }],
    };
  },
};

// Exim: "2024-05-14 10:15:22 1s6pXY-000Abc-9Q ** a@b R=... T=... H=host [ip]: message"
const exim: LogLineParser = {
  test: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?(?: \[\d+\])? (?:[\w-]{16,23} )?(?:\*\*|==|=>|->|\*>|<=|H=|rejected|F=)/,
  parse(line) {
    const m = line.match(/ (\*\*|==) (\S+?):?(?: <[^>]*>)?(?: (.*))?$/);
    if (!m) return eximReject(line);
    const rest = m[3] ?? '';
    const host = rest.match(/\bH=(\S+) \[([^\]]+)\]/);
    const message = rest.replace(/^.*?\bH=\S+ \[[^\]]+\](?: X=\S+)?(?: CV=\w+)?(?: DN="[^"]*")?: /, '').replace(/^(?:R=\S+ )?(?:T=\S+ )?/, '');
    return {
      recipient: m[2]!.replace(/^<|>$/g, ''),
      action: m[1] === '**' ? 'failed' : 'deferred',
      remoteMta: host ? `${host[1]} [${host[2]}]` : undefined,
      clauses: [{ text: message || rest, weight: 1 }],
    };
  },
};

function eximReject(line: string): Segment | 'skip' {
  const m = line.match(/rejected (?:RCPT|MAIL|after DATA|EHLO|HELO|connection)[^:]*: (.*)$/);
  if (!m) return 'skip';
  return { recipient: line.match(/rejected RCPT <([^>]+)>/)?.[1], action: 'failed', clauses: [{ text: m[1]!, weight: 1 }] };
}

// Sendmail: "... sm-mta[123]: QID: to=<a@b>, ..., relay=host. [ip], dsn=5.1.1, stat=User unknown"
const sendmail: LogLineParser = {
  test: /\b(?:sm-mta|sendmail)\[\d+\]:/,
  parse(line) {
    const stat = line.match(/\bstat=(.*)$/)?.[1];
    if (!stat || /^Sent\b/.test(stat)) return 'skip';
    const relay = line.match(/\brelay=([^,]+?)(?:,|$)/)?.[1]?.trim();
    return {
      recipient: angle(field(line, 'to')),
      action: /^Deferred/.test(stat) ? 'deferred' : 'failed',
      status: dsnCode(line),
      remoteMta: relay,
      clauses: [{ text: stat, weight: 1 }],
    };
  },
};

const PARSERS = [postfix, exim, sendmail];

/** Log segments, or undefined when the input is not (mostly) MTA log lines. */
export function parseLogLines(text: string): Segment[] | undefined {
  const lines = text.split('\n').filter(l => l.trim());
  let recognised = 0;
  const segments: Segment[] = [];
  for (const line of lines) {
    const parser = PARSERS.find(p => p.test.test(line));
    if (!parser) continue;
    recognised++;
    const segment = parser.parse(line);
    if (segment !== 'skip' && segments.length < MAX_LOG_ENTRIES) segments.push(segment);
  }
  return recognised > 0 && recognised * 2 >= lines.length ? segments : undefined;
}
