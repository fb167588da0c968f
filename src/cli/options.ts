// Option values → validated settings. Every parser throws a UsageError with one
// line that says what was wrong and what to type instead; the value is quoted
// in it with its control characters escaped, since the line goes to a terminal.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DnsServer } from '../net/dns/types.js';
import { hasControlCharacters, quote } from '../render/sanitize.js';
import { UsageError } from './errors.js';

export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

const MAX_TIMEOUT_MS = 120_000;
const DNS_PORT = 53;
/** A host name: LDH labels of 1-63 characters (RFC 1123 §2.1), at most 253 in all. */
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

const TIMEOUT_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const MIN_TIMEOUT_MS = 100;

/** `3s`, `1500ms`, `2m`, or a bare number of milliseconds (as before units existed). */
export function parseTimeout(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new UsageError(`--timeout ${quote(value)}: give a duration such as 3s, 1500ms or 2m`);
  const amount = Number(m[1]);
  // A bare "3" meant as seconds would be 3 ms: refuse it rather than time out at once.
  if (!m[2] && amount < MIN_TIMEOUT_MS) throw new UsageError(`--timeout ${quote(value)}: a bare number is milliseconds; did you mean ${m[1]}s?`);
  const ms = Math.round(amount * TIMEOUT_UNITS[m[2] ?? 'ms']!);
  if (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) throw new UsageError(`--timeout ${quote(value)}: must be between ${MIN_TIMEOUT_MS}ms and ${MAX_TIMEOUT_MS / 1000}s`);
  return ms;
}

export function parsePositiveInt(flag: string, value: string, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${flag} ${quote(value)}: give a whole number from 1 to ${max}`);
  }
  return Number(value);
}

/** `ip[:port]`, `[v6]:port`, comma-separated; repeatable. */
export function parseResolvers(values: string[]): DnsServer[] {
  const servers = values
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean)
    .map(parseHostPort('--resolver', true))
    .map(({ host, port }) => ({ host, port: port ?? DNS_PORT }));
  if (!servers.length) throw new UsageError(`--resolver ${quote(values.join(','))}: give the resolver's IP address, e.g. --resolver 9.9.9.9`);
  return servers;
}

export function parseRelay(value: string): { host: string; port?: number } {
  return parseHostPort('--relay', false)(value);
}

/** `host`, `host:port` or `[host]:port`; the port, when given, from 1 to 65535 (0 cannot be connected to). */
function parseHostPort(flag: string, ipOnly: boolean) {
  return (value: string): { host: string; port?: number } => {
    let host = value;
    let port: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
    if (bracketed) {
      host = bracketed[1]!;
      port = bracketed[2];
    } else if (!net.isIPv6(value) && value.includes(':')) {
      const i = value.lastIndexOf(':');
      host = value.slice(0, i);
      port = value.slice(i + 1);
      if (!/^\d+$/.test(port)) throw new UsageError(`${flag} ${quote(value)}: the port must be a number`);
    }
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new UsageError(`${flag} ${quote(value)}: port ${port} is out of range (1 to 65535)`);
    if (ipOnly && !net.isIP(host)) throw new UsageError(`${flag} ${quote(value)}: give the resolver's IP address, e.g. ${flag} 9.9.9.9 or 127.0.0.1:5353`);
    if (!ipOnly && !net.isIP(host) && !HOST_NAME.test(host)) throw new UsageError(`${flag} ${quote(value)}: not a host name or address`);
    return port === undefined ? { host } : { host, port: Number(port) };
  };
}

/** An envelope address for MAIL FROM / RCPT TO: no line breaks, no NUL, a plausible local@domain. */
export function parseMailbox(flag: string, value: string, allowEmpty: boolean): string {
  if (/[\r\n\0]/.test(value)) throw new UsageError(`${flag}: the address contains a line break or NUL, which would inject SMTP commands`);
  const address = value.trim().replace(/^<(.*)>$/, '$1');
  if (!address && allowEmpty) return '';
  if (!/^[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+$/.test(address) || hasControlCharacters(address)) {
    throw new UsageError(`${flag} ${quote(value)}: not an email address (user@example.com${allowEmpty ? ', or "" for the null sender' : ''})`);
  }
  return address;
}

export function parseHelo(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new UsageError('--helo: the name contains a line break or NUL, which would inject SMTP commands');
  const name = value.trim();
  if (!HOST_NAME.test(name) && !isAddressLiteral(name)) {
    throw new UsageError(`--helo ${quote(value)}: give a host name (mail.example.com) or an address literal ([192.0.2.1] or [IPv6:2001:db8::1])`);
  }
  return name;
}

/** RFC 5321 §4.1.3: "[192.0.2.1]", or an IPv6 address after the "IPv6:" tag. */
function isAddressLiteral(name: string): boolean {
  const inner = /^\[(.*)\]$/.exec(name)?.[1] ?? '';
  return net.isIPv4(inner) || (/^IPv6:/i.test(inner) && net.isIPv6(inner.slice(5)));
}

export function parseIp(flag: string, value: string): string {
  if (!net.isIP(value.trim())) throw new UsageError(`${flag} ${quote(value)}: not an IPv4 or IPv6 address`);
  return value.trim();
}

export function parseDnsbl(values: string[]): string[] {
  // Empty entries ("a,,b", a trailing comma) are skipped, as for --resolver and --checks.
  const zones = values.flatMap(v => v.split(',')).map(v => v.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean);
  for (const zone of zones) {
    if (!/^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*$/.test(zone)) throw new UsageError(`--dnsbl ${quote(zone)}: not a DNS zone name (e.g. zen.spamhaus.org)`);
  }
  return zones;
}

export function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--ca-file ${quote(path)}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file ${quote(path)}: no PEM certificate in it`);
  return text;
}

export function parseIdList(flag: string, values: string[], known: readonly string[]): string[] {
  const ids = values.flatMap(v => v.split(',')).map(v => v.trim()).filter(Boolean);
  const unknown = ids.filter(id => !known.includes(id));
  if (unknown.length) throw new UsageError(`${flag}: unknown check ${unknown.map(quote).join(', ')} (known: ${known.join(', ')})`);
  return ids;
}

/** EHLO name: this machine's FQDN when it has one, as an MTA would say. */
export function defaultHelo(): string {
  const name = hostname();
  return name.includes('.') && /^[a-z0-9.-]+$/i.test(name) ? name : 'maildiag.invalid';
}
