// Option values → validated settings. Every parser throws a UsageError with one
// line that says what was wrong and what to type instead.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { DnsServer } from '../net/dns/types.js';
import { UsageError } from './errors.js';

export const FORMATS = ['human', 'json', 'jsonl', 'markdown', 'csv'] as const;
export type Format = (typeof FORMATS)[number];
export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

const MAX_TIMEOUT_MS = 120_000;

export function parseTimeout(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--timeout ${JSON.stringify(value)}: give milliseconds as a whole number, e.g. --timeout 5000`);
  const ms = Number(value);
  if (ms < 100 || ms > MAX_TIMEOUT_MS) throw new UsageError(`--timeout ${value}: must be between 100 and ${MAX_TIMEOUT_MS} milliseconds`);
  return ms;
}

export function parsePositiveInt(flag: string, value: string, max: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${flag} ${JSON.stringify(value)}: give a whole number from 1 to ${max}`);
  }
  return Number(value);
}

/** `ip[:port]`, `[v6]:port`, comma-separated; repeatable. */
export function parseResolvers(values: string[]): DnsServer[] {
  return values
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean)
    .map(parseHostPort('--resolver', 53, true));
}

export function parseRelay(value: string): { host: string; port?: number } {
  const { host, port } = parseHostPort('--relay', 0, false)(value);
  return port ? { host, port } : { host };
}

function parseHostPort(flag: string, defaultPort: number, ipOnly: boolean) {
  return (value: string): DnsServer => {
    let host = value;
    let port = defaultPort;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
    if (bracketed) {
      host = bracketed[1]!;
      if (bracketed[2]) port = Number(bracketed[2]);
    } else if (!net.isIPv6(value) && value.includes(':')) {
      const i = value.lastIndexOf(':');
      host = value.slice(0, i);
      if (!/^\d+$/.test(value.slice(i + 1))) throw new UsageError(`${flag} ${JSON.stringify(value)}: the port must be a number`);
      port = Number(value.slice(i + 1));
    }
    if (port < 0 || port > 65535) throw new UsageError(`${flag} ${JSON.stringify(value)}: port ${port} is out of range`);
    if (ipOnly && !net.isIP(host)) throw new UsageError(`${flag} ${JSON.stringify(value)}: give the resolver's IP address, e.g. ${flag} 9.9.9.9 or 127.0.0.1:5353`);
    if (!ipOnly && !net.isIP(host) && !/^[a-z0-9.-]+$/i.test(host)) throw new UsageError(`${flag} ${JSON.stringify(value)}: not a host name or address`);
    return { host, port };
  };
}

/** An envelope address for MAIL FROM / RCPT TO: no line breaks, no NUL, a plausible local@domain. */
export function parseMailbox(flag: string, value: string, allowEmpty: boolean): string {
  if (/[\r\n\0]/.test(value)) throw new UsageError(`${flag}: the address contains a line break or NUL, which would inject SMTP commands`);
  const address = value.trim().replace(/^<(.*)>$/, '$1');
  if (!address && allowEmpty) return '';
  if (!/^[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+$/.test(address) || /[\u0000-\u001f\u007f]/.test(address)) {
    throw new UsageError(`${flag} ${JSON.stringify(value)}: not an email address (user@example.com${allowEmpty ? ', or "" for the null sender' : ''})`);
  }
  return address;
}

export function parseHelo(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new UsageError('--helo: the name contains a line break or NUL, which would inject SMTP commands');
  const name = value.trim();
  if (!/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(name) && !/^\[[0-9a-f.:]+\]$/i.test(name)) {
    throw new UsageError(`--helo ${JSON.stringify(value)}: give a host name (mail.example.com) or an address literal ([192.0.2.1])`);
  }
  return name;
}

export function parseIp(flag: string, value: string): string {
  if (!net.isIP(value.trim())) throw new UsageError(`${flag} ${JSON.stringify(value)}: not an IPv4 or IPv6 address`);
  return value.trim();
}

export function parseDnsbl(values: string[]): string[] {
  return values.flatMap(v => v.split(',')).map(v => v.trim().toLowerCase().replace(/\.$/, '')).filter(zone => {
    if (!/^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*$/.test(zone)) throw new UsageError(`--dnsbl ${JSON.stringify(zone)}: not a DNS zone name (e.g. zen.spamhaus.org)`);
    return true;
  });
}

export function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--ca-file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file ${path}: no PEM certificate in it`);
  return text;
}

export function parseIdList(flag: string, values: string[], known: readonly string[]): string[] {
  const ids = values.flatMap(v => v.split(',')).map(v => v.trim()).filter(Boolean);
  const unknown = ids.filter(id => !known.includes(id));
  if (unknown.length) throw new UsageError(`${flag}: unknown check ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return ids;
}

/** EHLO name: this machine's FQDN when it has one, as an MTA would say. */
export function defaultHelo(): string {
  const name = hostname();
  return name.includes('.') && /^[a-z0-9.-]+$/i.test(name) ? name : 'maildiag.invalid';
}
