// Does a PTR name look like an ISP's generic name for a dynamic, residential or
// pool address rather than a mail server's own name? Receivers run similar
// heuristics (e.g. Spamhaus PBL data, SpamAssassin RDNS_DYNAMIC, Postfix
// setups with "generic" PCRE tables). The rules, documented in docs/identity.md:
//
// 1. The name embeds the whole address: the four IPv4 octets in order or
//    reversed, split by "-", "." or "_" (203-0-113-5, 5.113.0.203), zero-padded
//    into one 12-digit run (203000113005) or as 8 hex digits (cb007105); for
//    IPv6, the address with ":" turned into "-" or ".", or its 32 nibbles.
//    Four octet-sized numbers in a row count too, even of another address:
//    a per-address name all the same.
//    ISPs name their static customer ranges the same way
//    (203-0-113-5.static.isp.example), and receivers cannot tell those from
//    dynamic ones, so a "static" label does not clear the name.
// 2. A label token says dynamic/residential access (dyn, dynamic, pool, dsl,
//    adsl, cable, dhcp, dial, ppp, residential, broadband, cpe, customer...) AND the name
//    carries part of the address (its last two octets, side by side) or a long
//    number (a customer or line id). A keyword alone is not enough: mail.dyn.com
//    or smtp.cable.example are ordinary server names.
import net from 'node:net';
import { expandIPv6 } from './ip.js';

export interface GenericVerdict {
  generic: boolean;
  /** Why, in a few words per rule that fired (empty when not generic). */
  reasons: string[];
}

/** Tokens ISPs use in names of dynamic, pooled or residential access lines. */
const ACCESS_TOKENS = new Set([
  'dyn', 'dynamic', 'dynip', 'dhcp', 'pool', 'dsl', 'adsl', 'vdsl', 'xdsl', 'sdsl', 'cable', 'cablemodem',
  'dial', 'dialup', 'dialin', 'ppp', 'pppoe', 'pppoa', 'residential', 'resi', 'broadband', 'cpe', 'ftth',
  'client', 'customer', 'cust', 'subscriber',
]);

/** A run of digits this long is a customer or line number, not part of a server name like mx10. */
const LONG_NUMBER = 5;

export function judgePtrName(ptrName: string, ip: string): GenericVerdict {
  const name = ptrName.toLowerCase().replace(/\.$/, '');
  const embedded = net.isIPv4(ip) ? embedsIPv4(name, ip) : embedsIPv6(name, ip);
  const access = accessTokens(name);
  const reasons: string[] = [];
  if (embedded) reasons.push(embedded);
  if (access.length) {
    const carried = embedded ? undefined : (carriesPartOfAddress(name, ip) ?? longNumber(name));
    const words = `it has the access-line word${access.length > 1 ? 's' : ''} "${access.join('", "')}"`;
    if (embedded) reasons.push(words);
    else if (carried) reasons.push(`${words} and the name carries ${carried}`);
  }
  return { generic: reasons.length > 0, reasons };
}

function accessTokens(name: string): string[] {
  // Split on dots, dashes and underscores, and between letters and digits (dsl123 → dsl, 123).
  const tokens = name.split(/[^a-z0-9]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/);
  return [...new Set(tokens.filter(t => ACCESS_TOKENS.has(t)))];
}

interface NumberRun { value: string; start: number; end: number }

function numberRuns(name: string): NumberRun[] {
  return [...name.matchAll(/\d+/g)].map(m => ({ value: m[0], start: m.index, end: m.index + m[0].length }));
}

/** Do these numbers (octets, at most 3 digits each) appear one after another, each pair split by one separator? */
function hasSequence(name: string, wanted: number[]): boolean {
  const runs = numberRuns(name);
  return runs.some((_, start) =>
    wanted.every((octet, i) => {
      const run = runs[start + i];
      if (!run || run.value.length > 3 || Number(run.value) !== octet) return false;
      const previous = runs[start + i - 1];
      return i === 0 || (previous !== undefined && run.start === previous.end + 1 && /[^a-z0-9]/.test(name[previous.end]!));
    }),
  );
}

/** Rule 1 for IPv4, as a reason, or undefined. */
function embedsIPv4(name: string, ip: string): string | undefined {
  const octets = ip.split('.').map(Number);
  const hex = octets.map(o => o.toString(16).padStart(2, '0')).join('');
  const form =
    hasSequence(name, octets) ? 'octets in order'
    : hasSequence(name, [...octets].reverse()) ? 'octets reversed'
    : name.includes(octets.map(o => String(o).padStart(3, '0')).join('')) ? 'zero-padded digits'
    : new RegExp(`(?:^|[^0-9a-f])${hex}(?:[^0-9a-f]|$)`).test(name) ? 'hexadecimal'
    : undefined;
  if (form) return `it embeds the address ${ip} (${form})`;
  const other = anyDottedQuad(name);
  return other ? `it embeds an address (${other})` : undefined;
}

/** Four octet-sized numbers in a row (a generic name of some other address, e.g. left over after renumbering). */
function anyDottedQuad(name: string): string | undefined {
  const runs = numberRuns(name);
  for (let start = 0; start + 4 <= runs.length; start++) {
    const quad = runs.slice(start, start + 4);
    if (quad.every(r => r.value.length <= 3 && Number(r.value) <= 255) && hasSequence(name, quad.map(r => Number(r.value)))) {
      return quad.map(r => Number(r.value)).join('.');
    }
  }
  return undefined;
}

/** Rule 1 for IPv6, as a reason, or undefined. */
function embedsIPv6(name: string, ip: string): string | undefined {
  const full = expandIPv6(ip);
  const groups = full.split(':').map(g => g.replace(/^0+(?=.)/, ''));
  const compressed = ip.toLowerCase();
  const forms = [
    compressed.replace(/:/g, '-'),
    compressed.replace(/:/g, '.'),
    groups.join('-'),
    full.replace(/:/g, '-'),
  ];
  const nibbles = full.replace(/:/g, '');
  const embedded = forms.some(f => name.includes(f)) || name.replace(/[^0-9a-f]/g, '').includes(nibbles) || name.includes(nibbles.split('').reverse().join('.'));
  return embedded ? `it embeds the address ${ip}` : undefined;
}

/** The IPv4 address's last two octets side by side (113-5 or 5.113): a per-address name. */
function carriesPartOfAddress(name: string, ip: string): string | undefined {
  if (!net.isIPv4(ip)) return undefined;
  const [, , third, fourth] = ip.split('.').map(Number) as [number, number, number, number];
  if (hasSequence(name, [third, fourth]) || hasSequence(name, [fourth, third])) return `part of the address (${third}.${fourth})`;
  return undefined;
}

function longNumber(name: string): string | undefined {
  const run = numberRuns(name).find(r => r.value.length >= LONG_NUMBER);
  return run ? `a line number (${run.value})` : undefined;
}
