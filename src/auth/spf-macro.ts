// SPF macros (RFC 7208 §7): the letters, their transformers, and the upper-case
// form that URL-escapes. Domain-specs are checked by the record parser before
// evaluation; explanation text (exp=) is only read here, so a malformed macro
// in it throws the same SpfSyntaxError.
import net from 'node:net';
import { canonicalIPv6, expandIPv6 } from '../net/ip.js';
import { SpfSyntaxError } from './spf-record.js';

/** The values macros expand to in one check_host() call. */
export interface MacroValues {
  /** <sender>: local-part@domain (RFC 7208 §4.3: postmaster@helo for a bounce). */
  sender: string;
  /** <domain>: the domain whose record is being evaluated. */
  domain: string;
  ip: string;
  helo: string;
  /** %{r}: the receiving host's domain name ("unknown" when it has none to give). */
  receiver: string;
  /** %{p}: asked for only when a macro uses it, since it costs DNS queries. */
  validatedName(): Promise<string>;
}

/** "%{" letter [digits] ["r"] *delimiter "}" (RFC 7208 §7.1). */
const MACRO = /^%\{([A-Za-z])(\d*)(r?)([.\-+,/_=]*)\}/i;
/** RFC 3986 unreserved: everything else is escaped when the macro letter is upper case (§7.3). */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Expands a domain-spec (explanation = false) or an explanation string (c, r, t allowed). */
export async function expandMacros(text: string, values: MacroValues, explanation: boolean): Promise<string> {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char !== '%') {
      out += char;
      continue;
    }
    const next = text[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      out += next === '%' ? '%' : next === '_' ? ' ' : '%20';
      i++;
      continue;
    }
    const macro = MACRO.exec(text.slice(i));
    if (!macro) throw new SpfSyntaxError(text, { code: 'malformedMacro', at: text.slice(i, i + 8) });
    const [whole, letter, digits, reverse, delimiters] = macro as unknown as [string, string, string, string, string];
    const raw = await letterValue(letter.toLowerCase(), values, explanation, text);
    const value = transform(raw, digits, reverse === 'r' || reverse === 'R', delimiters, text);
    out += letter === letter.toUpperCase() ? urlEscape(value) : value;
    i += whole.length - 1;
  }
  return out;
}

async function letterValue(letter: string, values: MacroValues, explanation: boolean, text: string): Promise<string> {
  const at = values.sender.lastIndexOf('@');
  const v4 = net.isIPv4(values.ip);
  switch (letter) {
    case 's':
      return values.sender;
    case 'l':
      return values.sender.slice(0, at);
    case 'o':
      return values.sender.slice(at + 1);
    case 'd':
      return values.domain;
    case 'i':
      return v4 ? values.ip : expandIPv6(values.ip).replace(/:/g, '').split('').join('.');
    case 'p':
      return values.validatedName();
    case 'v':
      return v4 ? 'in-addr' : 'ip6';
    case 'h':
      return values.helo;
  }
  if (!explanation) throw new SpfSyntaxError(text, { code: 'explanationOnlyLetter', letter });
  switch (letter) {
    case 'c':
      return v4 ? values.ip : canonicalIPv6(values.ip);
    case 'r':
      return values.receiver;
    case 't':
      return String(Math.floor(Date.now() / 1000));
  }
  throw new SpfSyntaxError(text, { code: 'unknownMacroLetter', letter });
}

/** Split on the delimiters (default "."), reverse, keep the rightmost N parts, join with "." (§7.3). */
function transform(value: string, digits: string, reverse: boolean, delimiters: string, text: string): string {
  if (!digits && !reverse && !delimiters) return value;
  const split = delimiters ? new RegExp(`[${delimiters.replace(/[-\\\]^]/g, '\\$&')}]`) : '.';
  const parts = value.split(split);
  if (reverse) parts.reverse();
  if (!digits) return parts.join('.');
  const keep = Number(digits);
  if (keep === 0) throw new SpfSyntaxError(text, { code: 'macroKeepsNone' });
  return parts.slice(-keep).join('.');
}

const urlEscape = (value: string): string =>
  [...value].map(c => (UNRESERVED.test(c) ? c : [...Buffer.from(c, 'utf8')].map(b => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))).join('');
