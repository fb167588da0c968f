// Which address family (IPv4, IPv6) answered this machine. A machine may have
// a global IPv6 address whose IPv6 goes nowhere (a router advertising a prefix
// with no upstream, a container without a route out, a firewall dropping
// IPv6): its silence over IPv6 is then this machine's, not the servers'. What
// answered over which family is the evidence that tells the two apart.
import ipaddr from 'ipaddr.js';
import type { DnsClient } from './dns/types.js';

export type Family = 4 | 6;

export const familyOf = (host: string): Family => (host.includes(':') ? 6 : 4);

/** The address of a server label, "ip:port" or "[ipv6]:port". */
const hostOf = (label: string): string => (label.startsWith('[') ? label.slice(1, label.indexOf(']')) : label.slice(0, label.lastIndexOf(':')));

/**
 * The same DNS client, telling `answered` the address of every server that
 * answered it, once per server: an audit's ~33 answers per domain come from a
 * few resolvers, and judging an address's range each time was ~3 % of its CPU.
 */
export function listening(dns: DnsClient, answered: (host: string) => void): DnsClient {
  const told = new Set<string>();
  const query: DnsClient['query'] = (name, type, options) =>
    dns.query(name, type, options).then(answer => {
      if ('server' in answer && !told.has(answer.server)) {
        told.add(answer.server);
        answered(hostOf(answer.server));
      }
      return answer;
    });
  return { ...dns, query };
}

/**
 * Ranges whose answer says nothing of the way out: this machine (loopback),
 * its link, and its own network (a home router's resolver on a unique local
 * IPv6 address answers even where IPv6 has no upstream).
 */
const NEARBY = new Set(['loopback', 'linkLocal', 'uniqueLocal', 'private', 'unspecified']);

/** Note in `heard` the family of `host`, which answered this machine, when its answer came from beyond this machine's own network. */
export function noteHeard(heard: Set<Family>, host: string): void {
  const family = familyOf(host);
  if (heard.has(family) || (ipaddr.isValid(host) && NEARBY.has(ipaddr.process(host).range()))) return;
  heard.add(family);
}
