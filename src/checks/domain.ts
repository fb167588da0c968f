// Does the domain exist, and does DNS answer for it at all? The gate for every
// domain check: an NXDOMAIN or a dead resolver explains everything after it.
// An answer that would blame the domain is believed only once the resolver
// has shown it is sane (net.resolverHealth): the observer before the observed.
// A sane resolver's NXDOMAIN is still only its word (DNS filters deny names
// that exist): the zone above, asked directly, confirms it or refers to the
// domain's own name servers, whose answer tells a filtered domain from a dead one.
// Its SERVFAIL is put to them too: dead or lame servers are the domain's;
// servers that answer while the resolver fails point at the domain's DNSSEC
// when the resolver answers with checking disabled (CD), else at the resolver.
import { describeAnswer, formatRecord, type DnsAnswer } from '../net/dns/index.js';
import { askZoneServers, NOT_REACHED, type Reach, type ZoneLookup } from '../net/dns/authorities.js';
import { within } from '../net/time.js';
import { defineCheck, finding, type Finding } from './define.js';
import type { Net } from '../net/context.js';
import { resolverFailure, resolverLabels } from './resolver.js';
import type { DnssecClue, Unconfirmed } from '../causes.js';

export default defineCheck({
  id: 'domain',
  title: 'Domain exists',
  targets: ['domain'],
  needs: [],
  provides: ['domain'],
  emits: ['domain.nxdomain', 'dns.servfail', 'dns.resolver-unreachable', 'dns.resolver-failing', 'dns.resolver-filtered', 'dns.resolver-servfail'],
  budget: 'domain',
  async run(_input, { target, net }) {
    const name = target.ascii;
    const answer = await net.dns.query(name, 'MX');
    const evidence = [describeAnswer(name, 'MX', answer)];
    const data = { resolvers: resolverLabels(net), answer: answer.kind };
    if (answer.kind === 'records' || answer.kind === 'nodata') return { findings: [], provided: { domain: name }, data };
    return { findings: [await blame(net, name, answer, evidence)], data };
  },
});

/** No usable answer for the domain: the resolver's fault (this machine) or the domain's (its DNS)? */
async function blame(net: Net, name: string, answer: Exclude<DnsAnswer, { kind: 'records' | 'nodata' }>, evidence: string[]): Promise<Finding> {
  if (answer.kind === 'refused') {
    return finding('dns.resolver-unreachable', 'refused', { server: answer.server }, { subjects: net.dns.servers.map(s => s.host), evidence });
  }
  const resolver = await resolverFailure(net, name, answer.kind, evidence);
  if (resolver) return resolver;
  switch (answer.kind) {
    case 'nxdomain':
      return confirmNxdomain(net, name, answer.server, evidence);
    case 'servfail':
      return confirmServfail(net, name, answer.server, evidence);
    default:
      return finding('dns.servfail', 'unanswered', { domain: name, answer: answer.kind }, { subjects: [name], evidence });
  }
}

/** The resolver's NXDOMAIN, weighed against what the zone's own name servers say when asked directly. */
async function confirmNxdomain(net: Net, name: string, server: string, evidence: string[]): Promise<Finding> {
  const asked: string[] = [];
  const waitedMs = net.time.nxdomainConfirmationMs;
  const lookup = (await within(waitedMs, askZoneServers(net.dns, name, 'MX', reachOf(net), asked))) ?? { kind: 'outOfTime' as const };
  const details = { subjects: [name], evidence: [...evidence, ...asked] };
  switch (lookup.kind) {
    case 'exists': {
      // An alias answers for the name, yet the resolver's NXDOMAIN is about where it points (RFC 6604).
      const alias = lookup.answer.kind === 'nodata' ? lookup.answer.aliases.at(-1) : undefined;
      if (alias) return finding('domain.nxdomain', 'aliasTarget', { domain: name, server, alias, authority: lookup.server }, details);
      return filtered(net, name, server, lookup, details.evidence);
    }
    case 'nxdomain':
      if (lookup.delegatedBy) return finding('domain.nxdomain', 'notServed', { domain: name, server, delegatedBy: lookup.delegatedBy, nameServers: lookup.nameServers, replies: ['nxdomain'] }, details);
      return finding('domain.nxdomain', 'nxdomain', { domain: name, server, zone: lookup.zone, confirmedBy: lookup.server }, details);
    case 'unanswered':
      if (lookup.delegatedBy && !notAllReached(lookup)) return finding('domain.nxdomain', 'notServed', { domain: name, server, delegatedBy: lookup.delegatedBy, nameServers: lookup.nameServers, replies: lookup.replies }, details);
      return finding('domain.nxdomain', 'unconfirmed', { domain: name, server, why: unansweredWhy(lookup) }, details);
    case 'noServers':
      return finding('domain.nxdomain', 'unconfirmed', { domain: name, server, why: { code: 'noServers' } }, details);
    case 'outOfTime':
      return finding('domain.nxdomain', 'unconfirmed', { domain: name, server, why: { code: 'outOfTime', waitedMs } }, details);
  }
}

/** How the zones' servers are reached, and what answered this machine earlier in the run (an IPv6 MX or resolver that answered is evidence IPv6 works here). */
const reachOf = (net: Net): Reach => ({ port: net.authorityPort, ipv6: net.ipv6, heard: net.heard });

/**
 * Some of the zone's servers were not reached, for a reason of this machine's
 * (no IPv6 route, an OS error that fails here, a family nothing answered
 * over): what they would say is not known, so the zone is not blamed.
 */
const notAllReached = (lookup: Extract<ZoneLookup<'MX'>, { kind: 'unanswered' }>): boolean => lookup.byServer.some(r => NOT_REACHED.includes(r.reply));

/** Why the zone's servers settle nothing: this machine did not reach them all, or they gave no answer that could. */
function unansweredWhy(lookup: Extract<ZoneLookup<'MX'>, { kind: 'unanswered' }>): Unconfirmed {
  const { zone, nameServers } = lookup;
  return notAllReached(lookup) ? { code: 'notReached', zone, nameServers, servers: lookup.byServer } : { code: 'unanswered', zone, nameServers, replies: lookup.replies };
}

/** The domain's own servers answer for it: the resolver (or a filter in front of it) denied it. */
function filtered(net: Net, name: string, server: string, lookup: Extract<ZoneLookup<'MX'>, { kind: 'exists' }>, evidence: string[]): Finding {
  const common = { domain: name, server, authority: lookup.server, zone: lookup.zone, nameServers: lookup.nameServers, resolvers: resolverLabels(net) };
  const details = { subjects: net.dns.servers.map(s => s.host), evidence };
  if (lookup.answer.kind === 'nodata') return finding('dns.resolver-filtered', 'deniedNoMx', common, details);
  return finding('dns.resolver-filtered', 'denied', { ...common, exchanges: lookup.answer.records.map(mx => formatRecord('MX', mx)) }, details);
}

/** The resolver's SERVFAIL, weighed against the domain's own name servers asked directly, and the resolver asked again with CD. */
async function confirmServfail(net: Net, name: string, server: string, evidence: string[]): Promise<Finding> {
  const asked: string[] = [];
  const waitedMs = net.time.servfailConfirmationMs;
  const verdict = (await within(waitedMs, weighServfail(net, name, server, asked))) ?? finding('dns.servfail', 'unconfirmed', { domain: name, server, why: { code: 'outOfTime', waitedMs } }, { subjects: [name] });
  return { ...verdict, evidence: [...evidence, ...asked] };
}

async function weighServfail(net: Net, name: string, server: string, asked: string[]): Promise<Finding> {
  const lookup = await askZoneServers(net.dns, name, 'MX', reachOf(net), asked);
  const subjects = { subjects: [name] };
  switch (lookup.kind) {
    case 'exists':
      return checkingDisabled(net, name, server, lookup, asked);
    case 'nxdomain':
      if (lookup.delegatedBy) return finding('dns.servfail', 'lameServers', { domain: name, server, delegatedBy: lookup.delegatedBy, nameServers: lookup.nameServers, servers: [{ server: lookup.server, reply: 'nxdomain' }], replies: ['nxdomain'] }, subjects);
      return finding('domain.nxdomain', 'zoneDenies', { domain: name, server, zone: lookup.zone, confirmedBy: lookup.server }, subjects);
    case 'unanswered': {
      if (!lookup.delegatedBy || notAllReached(lookup)) return finding('dns.servfail', 'unconfirmed', { domain: name, server, why: unansweredWhy(lookup) }, subjects);
      const silent = lookup.byServer.length > 0 && lookup.byServer.every(r => r.reply === 'timeout' || r.reply === 'error');
      const data = { domain: name, server, delegatedBy: lookup.delegatedBy, nameServers: lookup.nameServers, servers: lookup.byServer, replies: lookup.replies };
      return finding('dns.servfail', silent ? 'deadServers' : 'lameServers', data, subjects);
    }
    case 'noServers':
      return finding('dns.servfail', 'unconfirmed', { domain: name, server, why: { code: 'noServers' } }, subjects);
  }
}

/** The domain's own servers answer: ask the resolver again with CD, which a validating resolver answers when only DNSSEC failed. */
async function checkingDisabled(net: Net, name: string, server: string, lookup: Extract<ZoneLookup<'MX'>, { kind: 'exists' }>, asked: string[]): Promise<Finding> {
  // The signatures are read at once, from the server that answered, so a resolver that fails costs no extra wait.
  const [answer, signed] = await Promise.all([
    net.dns.query(name, 'MX', { checkingDisabled: true }),
    net.dns.query(name, 'MX', { servers: [lookup.answeredBy], recursive: false, dnssecOk: true }),
  ]);
  asked.push(`${describeAnswer(name, 'MX', answer)} (asked with checking disabled, CD)`);
  const common = { domain: name, server, authority: lookup.server, zone: lookup.zone, nameServers: lookup.nameServers, answer: exchangesOf(lookup.answer) };
  switch (answer.kind) {
    case 'records':
    case 'nodata':
      if (answer.ad) return finding('dns.servfail', 'unconfirmed', { domain: name, server, why: { code: 'validatedWithCheckingDisabled' } }, { subjects: [name] });
      return finding('dns.servfail', 'dnssecBroken', { ...common, answer: exchangesOf(answer), authorityAnswer: common.answer, signatures: dnssecClue(signed, net.time.now()) }, { subjects: [name] });
    case 'servfail':
      return finding('dns.resolver-servfail', 'ownServersAnswer', { ...common, resolvers: resolverLabels(net) }, { subjects: net.dns.servers.map(s => s.host) });
    default:
      return finding('dns.servfail', 'unconfirmed', { domain: name, server, why: { code: 'checkingDisabledUnanswered', answer: answer.kind } }, { subjects: [name] });
  }
}

/** What the RRSIGs over the domain's MX records, as its own server serves them, say against this run's clock. */
function dnssecClue(signed: DnsAnswer<'MX'>, now: Date): DnssecClue {
  if (signed.kind !== 'records') return { code: 'unread' };
  const authority = signed.server;
  const signatures = (signed.signatures ?? []).filter(sig => sig.covers === 'MX');
  if (!signatures.length) return { code: 'unsigned', authority };
  const at = now.toISOString();
  const current = signatures.find(sig => sig.inception <= at && at <= sig.expiration);
  if (current) return { code: 'current', authority, inception: current.inception, expiration: current.expiration };
  const expired = signatures.filter(sig => sig.expiration < at);
  if (expired.length === signatures.length) return { code: 'expired', authority, expiration: expired.map(sig => sig.expiration).sort().at(-1)! };
  return { code: 'notYetValid', authority, inception: signatures.map(sig => sig.inception).sort()[0]! };
}

const exchangesOf = (answer: Extract<DnsAnswer<'MX'>, { kind: 'records' | 'nodata' }>): string[] => (answer.kind === 'records' ? answer.records.map(mx => formatRecord('MX', mx)) : []);
