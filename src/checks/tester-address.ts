// The address a server that refused the tester saw, and what its reverse DNS
// says, so a refusal for "no PTR", a dynamic range or the EHLO name tells the
// admin whether to fix the PTR or test from elsewhere: the address the refusal
// names, else this end of the connection (behind NAT a private address, and
// then the public one is not known here). Shared by the port-25 checks.
import type { Net } from '../net/context.js';
import type { DnsOutcome } from '../net/dns/index.js';
import { nonGlobalReason } from '../net/ip.js';
import { judgePtrName, type GenericReason } from '../net/ptr-heuristics.js';
import { lookupReverse, type ForwardCheck, type ReverseLookup } from '../net/reverse-dns.js';
import { isPositive, type SmtpProbe, type SmtpReply } from '../net/smtp/index.js';
import { within, type BudgetName, type RunTime } from '../net/time.js';
import type { RunOptions } from '../pipeline/options.js';
import { clientAddressIn, clientObjection } from '../replies/index.js';
import { exclusionReason } from './addresses.js';
import { disprovingNames, forward } from './ptr-findings.js';

/** What the reverse DNS of the address says, as a receiver checks it (FCrDNS). */
export type TesterReverse =
  | { ptr: 'none' }
  /** PTR names, none of which resolves back to the address. */
  | { ptr: 'unconfirmed'; names: Pick<ForwardCheck, 'name' | 'addresses' | 'outcome'>[] }
  /** A PTR name that resolves back; `generic`: why it reads as an access line's name (none when it does not). */
  | { ptr: 'confirmed'; name: string; generic: GenericReason[] }
  /** The lookup failed or did not answer in time: nothing can be said. */
  | { ptr: 'failed'; outcome: DnsOutcome }
  /** An address the internet cannot route, in a run without --allow-private: its reverse DNS means nothing outside. */
  | { ptr: 'notLookedUp'; range: string };

export type TesterAddress =
  /** Named in the refusal, or this end of the connection; `reverse` once looked up. */
  | { from: 'reply' | 'local'; ip: string; reverse?: TesterReverse }
  /** This end is a private address and the server's a public one: NAT, so the address the server saw is not known here. */
  | { from: 'nat'; ip: string; range: string }
  /** No address at all (the connection's end was gone before it was read). */
  | { from: 'unknown' };

/** What reverse DNS says of each address the tester was seen as. */
export type TesterSightings = ReadonlyMap<string, TesterReverse>;

/** The address the server saw when it sent `reply`, and what DNS says of it when it was looked up. */
export function testerAddress(probe: SmtpProbe, reply: SmtpReply, sightings: TesterSightings): TesterAddress {
  const seen = sighted(probe, reply);
  if (seen.from !== 'reply' && seen.from !== 'local') return seen;
  const reverse = sightings.get(seen.ip);
  return reverse ? { ...seen, reverse } : seen;
}

function sighted(probe: SmtpProbe, reply: SmtpReply): TesterAddress {
  const named = clientAddressIn(reply, probe.ip);
  if (named) return { from: 'reply', ip: named };
  const local = probe.localAddress;
  if (local === undefined) return { from: 'unknown' };
  const range = nonGlobalReason(local);
  return range && !nonGlobalReason(probe.ip) ? { from: 'nat', ip: local, range } : { from: 'local', ip: local };
}

/**
 * The reverse DNS of every address a refusal of the tester was seen from: once per address per run
 * (net.once), through the run's resolver, waiting at most `withinMs`. An address the internet cannot
 * route is asked only with --allow-private (a lab's or a LAN's reverse zone, from the same resolver).
 */
export async function seeTester(net: Net, probes: readonly SmtpProbe[], options: RunOptions, withinMs: number): Promise<TesterSightings> {
  const seen = probes.flatMap(probe => refusalsOfTester(probe).map(reply => sighted(probe, reply)));
  const ips = [...new Set(seen.flatMap(s => (s.from === 'reply' || s.from === 'local' ? [s.ip] : [])))];
  return new Map(await Promise.all(ips.map(async ip => [ip, await reverseOf(net, ip, options, withinMs)] as const)));
}

/** How long a check that started at `startedAt` waits for these lookups: a PTR and its names' addresses, and never past its budget. */
export function sightingWait(time: RunTime, budget: BudgetName, startedAt: Date): number {
  const left = time.budgetMs(budget) - (time.now().getTime() - startedAt.getTime()) - time.dnsTryMs;
  return Math.max(0, Math.min(2 * time.dnsQueryMs, left));
}

/** The replies of a probe that object to the client: instead of the greeting, to EHLO or HELO, MAIL, RCPT, or the one that ended the session. */
function refusalsOfTester(probe: SmtpProbe): SmtpReply[] {
  const { outcome } = probe;
  const replies = [outcome.kind === 'busy' || outcome.kind === 'rejected' ? outcome.reply : undefined, probe.ehlo?.reply, probe.mail, probe.rcpt?.reply, probe.incomplete?.reply];
  return replies.filter((reply): reply is SmtpReply => reply !== undefined && !isPositive(reply) && clientObjection(reply, probe.host, { atHello: true }) !== undefined);
}

async function reverseOf(net: Net, ip: string, options: RunOptions, withinMs: number): Promise<TesterReverse> {
  const range = exclusionReason(ip, options);
  if (range) return { ptr: 'notLookedUp', range };
  const lookup = await within(withinMs, net.once(`reverse-dns|${ip}`, () => lookupReverse(net.dns, ip)));
  return lookup ? summarise(lookup) : { ptr: 'failed', outcome: 'timeout' };
}

function summarise(lookup: ReverseLookup): TesterReverse {
  switch (lookup.kind) {
    case 'none': return { ptr: 'none' };
    case 'failed': return { ptr: 'failed', outcome: lookup.outcome };
    case 'found': {
      const confirmed = lookup.names.find(n => n.confirms);
      if (confirmed) {
        const verdict = judgePtrName(confirmed.name, lookup.ip);
        return { ptr: 'confirmed', name: confirmed.name, generic: verdict.generic ? verdict.reasons : [] };
      }
      const disproved = disprovingNames(lookup.names);
      if (disproved.length) return { ptr: 'unconfirmed', names: disproved.map(forward) };
      const [unanswered] = lookup.names;
      return unanswered ? { ptr: 'failed', outcome: unanswered.outcome } : { ptr: 'none' };
    }
  }
}
