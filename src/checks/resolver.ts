// The observer before the observed: an answer that would blame a domain or an
// address (NXDOMAIN, SERVFAIL, silence) is believed only once the resolver has
// shown it answers for the root zone (net.resolverHealth, asked once per run).
import type { Net } from '../net/context.js';
import { finding, type Finding } from './define.js';

export const resolverLabels = (net: Net): string[] => net.dns.servers.map(s => `${s.host}:${s.port}`);

/** The resolver's own failure, when it fails even for the root zone; undefined when it can be believed. */
export async function resolverFailure(net: Net, about: string, answer: string, evidence: string[]): Promise<Finding | undefined> {
  const health = await net.resolverHealth();
  if (health.kind !== 'failing') return undefined;
  const details = { subjects: net.dns.servers.map(s => s.host), evidence: [...evidence, ...health.evidence] };
  const resolvers = resolverLabels(net);
  const silent = health.answer === 'timeout' || health.answer === 'error' || health.answer === 'refused';
  return silent
    ? finding('dns.resolver-unreachable', 'silent', { resolvers, rootAnswer: health.answer }, details)
    : finding('dns.resolver-failing', 'failing', { resolvers, rootAnswer: health.answer, answer, about }, details);
}
