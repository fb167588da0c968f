// Address facts: which ranges the internet cannot route to, and the reverse
// DNS name of an address (RFC 1035 §3.5, RFC 3596 §2.5).
import net from 'node:net';
import ipaddr from 'ipaddr.js';

const SPECIAL_RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', '"this network" (RFC 791)'],
  ['10.0.0.0', 8, 'ipv4', 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'ipv4', 'documentation (RFC 5737)'],
  ['192.168.0.0', 16, 'ipv4', 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking (RFC 2544)'],
  ['198.51.100.0', 24, 'ipv4', 'documentation (RFC 5737)'],
  ['203.0.113.0', 24, 'ipv4', 'documentation (RFC 5737)'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'unique local (RFC 4193)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['2001:db8::', 32, 'ipv6', 'documentation (RFC 3849)'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const lists = SPECIAL_RANGES.map(([address, prefix, family, reason]) => {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, family);
  return { list, family, reason };
});

/** Why the internet cannot reach this address, or undefined for a global one. */
export function nonGlobalReason(ip: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
  return lists.find(r => r.family === family && r.list.check(address, family))?.reason;
}

/** An address as text, in its usual form (an IPv4-mapped IPv6 address as the IPv4 address, IPv6 as RFC 5952 writes it); undefined when it is not one. */
export function wellFormedAddress(text: string): string | undefined {
  const address = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text)?.[1] ?? text;
  switch (net.isIP(address)) {
    case 4: return address;
    case 6: return canonicalIPv6(address);
    default: return undefined;
  }
}

/** The same address however written (an IPv6 address compressed or not). */
export const sameAddress = (a: string, b: string): boolean => wellFormedAddress(a) !== undefined && wellFormedAddress(a) === wellFormedAddress(b);

/** The PTR name of an address; an IPv4-mapped IPv6 address is the IPv4 address, whose PTR lives under in-addr.arpa. */
export function reverseName(ip: string): string {
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return `${address.toString().split('.').reverse().join('.')}.in-addr.arpa`;
  return `${expandIPv6(ip).replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`;
}

/** RFC 5952 text: lower case, the longest run of zeros as "::" (the form %{c} of SPF gives). */
export const canonicalIPv6 = (ip: string): string => ipaddr.IPv6.parse(ip).toRFC5952String();

/** All eight groups, four hex digits each (an embedded IPv4 address in hex too), for comparison and nibble names. */
export function expandIPv6(ip: string): string {
  return ipaddr.IPv6.parse(ip).parts.map(group => group.toString(16).padStart(4, '0')).join(':');
}

export const ipFamily = (ip: string): 4 | 6 => (net.isIPv6(ip) ? 6 : 4);
