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
  /** Why, one per rule that fired (empty when not generic); src/causes.ts words them. */
  reasons: GenericReason[];
}

/** How the name spells the whole IPv4 address (rule 1). */
export type EmbeddedForm = 'inOrder' | 'reversed' | 'zeroPadded' | 'hexadecimal';

export type GenericReason =
  /** Rule 1: the whole address, in the given form (none for IPv6). */
  | { code: 'embedsAddress'; ip: string; form?: EmbeddedForm }
  /** Rule 1: four octet-sized numbers in a row, of some address. */
  | { code: 'embedsSomeAddress'; address: string }
  /** Rule 2's words beside an embedded address. */
  | { code: 'accessWords'; words: string[] }
  /** Rule 2: the words, and the address's last two octets side by side (e.g. 113.5). */
  | { code: 'accessWordsAndAddressPart'; words: string[]; part: string }
  /** Rule 2: the words, and a long number (a customer or line id). */
  | { code: 'accessWordsAndLineNumber'; words: string[]; number: string };

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
  const reasons: GenericReason[] = [];
  if (embedded) reasons.push(embedded);
  if (access.length) {
    const carried = embedded ? undefined : (carriesPartOfAddress(name, ip, access) ?? longNumber(name, access));
    if (embedded) reasons.push({ code: 'accessWords', words: access });
    else if (carried) reasons.push(carried);
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
function embedsIPv4(name: string, ip: string): GenericReason | undefined {
  const octets = ip.split('.').map(Number);
  const hex = octets.map(o => o.toString(16).padStart(2, '0')).join('');
  const form: EmbeddedForm | undefined =
    hasSequence(name, octets) ? 'inOrder'
    : hasSequence(name, [...octets].reverse()) ? 'reversed'
    : name.includes(octets.map(o => String(o).padStart(3, '0')).join('')) ? 'zeroPadded'
    : new RegExp(`(?:^|[^0-9a-f])${hex}(?:[^0-9a-f]|$)`).test(name) ? 'hexadecimal'
    : undefined;
  if (form) return { code: 'embedsAddress', ip, form };
  const other = anyDottedQuad(name);
  return other ? { code: 'embedsSomeAddress', address: other } : undefined;
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
function embedsIPv6(name: string, ip: string): GenericReason | undefined {
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
  return embedded ? { code: 'embedsAddress', ip } : undefined;
}

/** The IPv4 address's last two octets side by side (113-5 or 5.113): a per-address name. */
function carriesPartOfAddress(name: string, ip: string, words: string[]): GenericReason | undefined {
  if (!net.isIPv4(ip)) return undefined;
  const [, , third, fourth] = ip.split('.').map(Number) as [number, number, number, number];
  if (hasSequence(name, [third, fourth]) || hasSequence(name, [fourth, third])) return { code: 'accessWordsAndAddressPart', words, part: `${third}.${fourth}` };
  return undefined;
}

function longNumber(name: string, words: string[]): GenericReason | undefined {
  const run = numberRuns(name).find(r => r.value.length >= LONG_NUMBER);
  return run ? { code: 'accessWordsAndLineNumber', words, number: run.value } : undefined;
}
