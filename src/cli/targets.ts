// Targets as users type them → the normalised form the checks use. Domains:
// IDN to punycode (UTS #46 via the WHATWG URL implementation), lower case, no
// trailing dot, RFC 1035 label rules. Addresses: IPv4 or IPv6, no zone ids.
import net from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import type { Target } from '../pipeline/facts.js';
import { hasControlCharacters, quote } from '../render/sanitize.js';
import { UsageError } from './errors.js';

const MAX_NAME = 253;
const MAX_LABEL = 63;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export function parseTarget(raw: string): Target {
  const input = raw.trim();
  if (!input) throw new UsageError('empty target: give a domain (example.com) or an IP address');
  // Quoted with every control character escaped: the message goes to a terminal, and lists of targets come from files.
  const shown = quote(input);
  if (hasControlCharacters(input)) throw new UsageError(`invalid target ${shown}: it contains control characters`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    const host = safeHost(input);
    throw new UsageError(`invalid target ${shown}: that is a URL; give the domain only${host ? `, e.g. maildiag ${host}` : ''}`);
  }
  if (input.includes('@')) {
    const domain = input.slice(input.lastIndexOf('@') + 1);
    throw new UsageError(`invalid target ${shown}: that is an email address; give its domain (maildiag ${domain}) and probe the address with --rcpt ${input}`);
  }
  if (/\s/.test(input)) throw new UsageError(`invalid target ${shown}: a domain cannot contain spaces`);
  const bare = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  if (bare.includes('%')) throw new UsageError(`invalid target ${shown}: IPv6 zone ids (%${bare.split('%')[1]}) are not supported; give a global address`);
  if (net.isIP(bare)) {
    const ascii = net.isIPv6(bare) ? bare.toLowerCase() : bare;
    return { kind: 'ip', input, ascii, unicode: ascii };
  }
  if (bare.includes(':')) throw new UsageError(`invalid target ${shown}: not a valid IPv6 address (ports are not part of a target)`);
  return parseDomain(input, shown);
}

function parseDomain(input: string, shown: string): Target {
  const withoutDot = input.endsWith('.') ? input.slice(0, -1) : input;
  if (!withoutDot || withoutDot.startsWith('.') || withoutDot.includes('..')) {
    throw new UsageError(`invalid target ${shown}: empty label (two dots in a row, or a leading dot)`);
  }
  const tooLong = withoutDot.split('.').find(label => label.length > MAX_LABEL);
  if (tooLong) throw new UsageError(`invalid target ${shown}: a label is ${tooLong.length} characters long, the limit is ${MAX_LABEL}`);
  // The URL host parser reads a name that ends in a number as IPv4, and maps or rejects it (1.2.3 → 1.2.0.3): say what is wrong first.
  if (/(?:^|\.)[0-9]+$/.test(withoutDot)) {
    const why = /^[0-9.]+$/.test(withoutDot) ? 'not a valid IPv4 address (four numbers from 0 to 255, e.g. 192.0.2.1)' : 'neither an IP address nor a domain (the last label is numeric)';
    throw new UsageError(`invalid target ${shown}: ${why}`);
  }
  // UTS #46 maps other full stops ("。") to ".", so a trailing one only shows up now.
  const ascii = domainToASCII(withoutDot).replace(/\.$/, '');
  if (!ascii) throw new UsageError(`invalid target ${shown}: not a valid domain name (invalid characters or internationalised name)`);
  if (ascii.length > MAX_NAME) throw new UsageError(`invalid target ${shown}: the name is ${ascii.length} characters long, the limit is ${MAX_NAME}`);
  const labels = ascii.split('.');
  // Hex and octal forms come out of the host parser as dotted IPv4 (0x10 → 0.0.0.16): a name, not an address, was asked for.
  if (/^[0-9]+$/.test(labels.at(-1)!)) throw new UsageError(`invalid target ${shown}: neither an IP address nor a domain (it reads as ${ascii})`);
  if (labels.length < 2) throw new UsageError(`invalid target ${shown}: not a fully-qualified domain name (e.g. example.com)`);
  for (const label of labels) {
    // An A-label must decode (RFC 5891 §5.4); newer Node versions pass an undecodable one through unchanged.
    if (/^xn--/.test(label) && [label, ''].includes(domainToUnicode(label))) throw new UsageError(`invalid target ${shown}: not a valid domain name (label "${label}" is not valid punycode)`);
    if (label.length > MAX_LABEL) throw new UsageError(`invalid target ${shown}: a label is ${label.length} characters long once encoded, the limit is ${MAX_LABEL}`);
    if (!LDH_LABEL.test(label)) {
      const why = label.startsWith('-') || label.endsWith('-') ? 'a label starts or ends with a hyphen' : `label "${label}" has characters a host name cannot have`;
      throw new UsageError(`invalid target ${shown}: ${why}`);
    }
  }
  return { kind: 'domain', input, ascii, unicode: domainToUnicode(ascii) || ascii };
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
