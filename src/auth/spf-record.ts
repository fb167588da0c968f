// An SPF record read as RFC 7208 §4.6 and §12 define it. Any syntax error makes
// check_host() a permerror (§4.6), so the parser is strict and names the term.
import net from 'node:net';
import { say } from '../causes.js';

export type SpfQualifier = '+' | '-' | '~' | '?';
export type SpfMechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export interface SpfMechanism {
  kind: 'mechanism';
  /** The term as published. */
  term: string;
  qualifier: SpfQualifier;
  name: SpfMechanismName;
  /** domain-spec (include, a, mx, ptr, exists) or network (ip4, ip6). */
  value?: string;
  /** Prefix lengths: ip4 and a/mx IPv4 ("/24"), ip6 and a/mx IPv6 ("//64"). */
  cidr4?: number;
  cidr6?: number;
}

export interface SpfModifier {
  kind: 'modifier';
  term: string;
  name: string;
  value: string;
}

export type SpfTerm = SpfMechanism | SpfModifier;

export interface SpfRecord {
  text: string;
  terms: SpfTerm[];
}

/** What is wrong with a term; causes.ts's `spfSyntax` format says it in words. */
export type SpfSyntaxProblem =
  | { code: 'notSpf1' | 'notVisibleAscii' | 'notATerm' | 'allTakesValue' | 'needsValue' | 'emptyValue' | 'textAfterName' | 'malformedPrefix' | 'macroKeepsNone' }
  | { code: 'repeatedModifier' | 'modifierNeedsDomain' | 'unknownMechanism' | 'badModifierName'; name: string }
  | { code: 'notAnAddress'; address: string; family: 'ip4' | 'ip6' }
  | { code: 'badPrefixLength'; digits: string; max: number }
  | { code: 'notADomain'; spec: string }
  | { code: 'malformedMacro'; at: string }
  | { code: 'unknownMacroLetter' | 'explanationOnlyLetter'; letter: string }
  | { code: 'macroKeepsNoPart'; macro: string };

export class SpfSyntaxError extends Error {
  /** The problem in words (src/causes.ts). */
  readonly reason: string;
  constructor(
    readonly term: string,
    readonly problem: SpfSyntaxProblem,
  ) {
    const reason = say('spfSyntax', problem);
    super(`${term}: ${reason}`);
    this.reason = reason;
    this.name = 'SpfSyntaxError';
  }
}

/** RFC 7208 §4.5: a record starts with exactly "v=spf1", ended by a space or the end. */
export const isSpfRecord = (text: string): boolean => /^v=spf1( |$)/i.test(text);

/** "v=spf1 -all": the domain says it sends no mail at all (a parked domain, M3AAWG's advice). */
export function declaresNoSenders(text: string): boolean {
  try {
    const [only, ...rest] = parseSpfRecord(text).terms;
    return !rest.length && only?.kind === 'mechanism' && only.name === 'all' && only.qualifier === '-';
  } catch (err) {
    if (err instanceof SpfSyntaxError) return false;
    throw err;
  }
}

const MECHANISMS: readonly string[] = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'];
const MODIFIER_NAME = /^[A-Za-z][A-Za-z0-9\-_.]*$/;
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;

export function parseSpfRecord(text: string): SpfRecord {
  if (!isSpfRecord(text)) throw new SpfSyntaxError(text.split(' ')[0] ?? '', { code: 'notSpf1' });
  // Only SP separates terms (§4.6.1, §12): a TAB, CR or LF is part of a term, and no term may hold one.
  const terms = text.slice('v=spf1'.length).split(' ').filter(Boolean).map(parseTerm);
  for (const name of ['redirect', 'exp']) {
    if (terms.filter(t => t.kind === 'modifier' && t.name === name).length > 1) {
      throw new SpfSyntaxError(`${name}=`, { code: 'repeatedModifier', name });
    }
  }
  return { text, terms };
}

function parseTerm(term: string): SpfTerm {
  if (!VISIBLE_ASCII.test(term)) throw new SpfSyntaxError(term, { code: 'notVisibleAscii' });
  const modifier = /^([^=:/]+)=(.*)$/.exec(term);
  if (modifier) return parseModifier(term, modifier[1]!, modifier[2]!);
  const qualified = /^[+\-~?]/.test(term);
  const qualifier = (qualified ? term[0] : '+') as SpfQualifier;
  const body = qualified ? term.slice(1) : term;
  const nameMatch = /^[A-Za-z0-9]+/.exec(body);
  const name = nameMatch?.[0].toLowerCase() ?? '';
  if (!MECHANISMS.includes(name)) throw new SpfSyntaxError(term, name ? { code: 'unknownMechanism', name } : { code: 'notATerm' });
  return parseMechanism(term, qualifier, name as SpfMechanismName, body.slice(name.length));
}

function parseModifier(term: string, name: string, value: string): SpfModifier {
  if (!MODIFIER_NAME.test(name)) throw new SpfSyntaxError(term, { code: 'badModifierName', name });
  const lower = name.toLowerCase();
  if (lower === 'redirect' || lower === 'exp') {
    if (!value) throw new SpfSyntaxError(term, { code: 'modifierNeedsDomain', name: lower });
    // exp= names where the explanation is; only the explanation text may use c, r and t (§7.1).
    checkDomainSpec(term, value);
  } else {
    checkMacroString(term, value);
  }
  return { kind: 'modifier', term, name: lower, value };
}

function parseMechanism(term: string, qualifier: SpfQualifier, name: SpfMechanismName, rest: string): SpfMechanism {
  const base = { kind: 'mechanism' as const, term, qualifier, name };
  switch (name) {
    case 'all':
      if (rest) throw new SpfSyntaxError(term, { code: 'allTakesValue' });
      return base;
    case 'include':
    case 'exists': {
      const value = argument(term, rest, true);
      checkDomainSpec(term, value);
      return { ...base, value };
    }
    case 'ptr': {
      if (!rest) return base;
      const value = argument(term, rest, true);
      checkDomainSpec(term, value);
      return { ...base, value };
    }
    case 'a':
    case 'mx': {
      const { spec, cidr4, cidr6 } = splitDualCidr(term, rest);
      if (spec === undefined) return { ...base, ...cidrs(cidr4, cidr6) };
      const value = argument(term, spec, true);
      checkDomainSpec(term, value);
      return { ...base, value, ...cidrs(cidr4, cidr6) };
    }
    case 'ip4':
    case 'ip6':
      return { ...base, ...parseNetwork(term, name, argument(term, rest, true)) };
  }
}

const cidrs = (cidr4?: number, cidr6?: number) => ({ ...(cidr4 !== undefined ? { cidr4 } : {}), ...(cidr6 !== undefined ? { cidr6 } : {}) });

/** The text after ":" (required values) or an error naming the term. */
function argument(term: string, rest: string, required: boolean): string {
  if (!rest.startsWith(':')) {
    if (required) throw new SpfSyntaxError(term, { code: 'needsValue' });
    return '';
  }
  const value = rest.slice(1);
  if (!value) throw new SpfSyntaxError(term, { code: 'emptyValue' });
  return value;
}

/** a/mx: "[:domain-spec][/cidr4][//cidr6]" (RFC 7208 §5.3, §5.4). */
function splitDualCidr(term: string, rest: string): { spec?: string; cidr4?: number; cidr6?: number } {
  const match = /^(.*?)(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(rest)!;
  const cidr4 = match[2] === undefined ? undefined : prefixLength(term, match[2], 32);
  const cidr6 = match[3] === undefined ? undefined : prefixLength(term, match[3], 128);
  const spec = match[1]!;
  if (spec && !spec.startsWith(':')) throw new SpfSyntaxError(term, { code: 'textAfterName' });
  return { ...(spec ? { spec } : {}), ...cidrs(cidr4, cidr6) };
}

function parseNetwork(term: string, name: 'ip4' | 'ip6', value: string): { value: string; cidr4?: number; cidr6?: number } {
  const match = /^([^/]*)(?:\/(\d+))?$/.exec(value);
  if (!match) throw new SpfSyntaxError(term, { code: 'malformedPrefix' });
  const address = match[1]!;
  // A zone index ("fe80::1%eth0") is not part of an ip6-network (RFC 7208 §12).
  const valid = name === 'ip4' ? net.isIPv4(address) : net.isIPv6(address) && !address.includes('%');
  if (!valid) throw new SpfSyntaxError(term, { code: 'notAnAddress', address, family: name });
  if (match[2] === undefined) return { value: address };
  return name === 'ip4' ? { value: address, cidr4: prefixLength(term, match[2], 32) } : { value: address, cidr6: prefixLength(term, match[2], 128) };
}

/** RFC 7208 §12: "0" or no leading zero, within the address size. */
function prefixLength(term: string, digits: string, max: number): number {
  const length = Number(digits);
  if (/^0\d/.test(digits) || length > max) throw new SpfSyntaxError(term, { code: 'badPrefixLength', digits, max });
  return length;
}

/**
 * domain-spec = macro-string domain-end (RFC 7208 §7.1): a macro may end it,
 * otherwise it ends in "." and a top label that is not all digits.
 */
function checkDomainSpec(term: string, spec: string): void {
  checkMacroString(term, spec);
  if (/%\{[^}]*\}$/.test(spec)) return;
  const labels = spec.replace(/\.$/, '').split('.');
  const top = labels.at(-1)!;
  // toplabel: alphanumerics with a letter, or alphanumerics joined by hyphens (xn--...).
  if (labels.length < 2 || !/^(?=.*[A-Za-z])[A-Za-z0-9]+$|^[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]$/.test(top)) {
    throw new SpfSyntaxError(term, { code: 'notADomain', spec });
  }
}

/** Macros (RFC 7208 §7.1): %{letter digits r delimiters}, %%, %_ and %-; c, r and t only in explanation text (spf-macro.ts). */
function checkMacroString(term: string, value: string): void {
  for (let i = value.indexOf('%'); i >= 0; i = value.indexOf('%', i + 1)) {
    const next = value[i + 1];
    if (next === '%' || next === '_' || next === '-') {
      i++;
      continue;
    }
    const macro = /^%\{([A-Za-z])(\d*)(r?)([.\-+,/_=]*)\}/i.exec(value.slice(i));
    if (!macro) throw new SpfSyntaxError(term, { code: 'malformedMacro', at: value.slice(i, i + 8) });
    const letter = macro[1]!.toLowerCase();
    if (!'slodiphcrtv'.includes(letter)) throw new SpfSyntaxError(term, { code: 'unknownMacroLetter', letter: macro[1]! });
    if ('crt'.includes(letter)) throw new SpfSyntaxError(term, { code: 'explanationOnlyLetter', letter: macro[1]! });
    if (macro[2] && Number(macro[2]) === 0) throw new SpfSyntaxError(term, { code: 'macroKeepsNoPart', macro: macro[0] });
    i += macro[0].length - 1;
  }
}
