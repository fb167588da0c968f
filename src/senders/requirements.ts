// The providers' published sender rules (requirements.json, data with its
// source and the date it was read) held against one message's observations.
import data from './requirements.json' with { type: 'json' };
import { causes } from '../causes.js';
import { OBSERVATIONS, type ObservationId, type Observations, type Verdict } from './observe.js';

export interface Requirement {
  applies: 'all' | 'bulk';
  text: string;
  /** The observation that decides it; without one, `unobservable` says why one message cannot tell. */
  observe?: string;
  unobservable?: string;
}

export interface Provider {
  id: string;
  name: string;
  source: string;
  read: string;
  /** Who counts as a bulk sender, in the provider's words. */
  bulk: string;
  /** The provider's own mail domains: a From address there must come from the provider. */
  domains: string[];
  requirements: Requirement[];
}

/** What the report's data says about a provider (its rules are the rows). */
export type ProviderInfo = Pick<Provider, 'id' | 'name' | 'source' | 'read' | 'bulk'>;

export interface RequirementRow {
  provider: string;
  applies: 'all' | 'bulk';
  requirement: string;
  verdict: Verdict;
  evidence: string;
  /** When not met: the cause id and its fix. */
  cause?: string;
  fix?: string;
}

export const providers: readonly Provider[] = data.providers as Provider[];

/** Every provider's mail domains, for the impersonation test. */
export const providerDomains: readonly string[] = providers.flatMap(p => p.domains);

const isObservation = (id: string | undefined): id is ObservationId => (OBSERVATIONS as readonly string[]).includes(id ?? '');

export function requirementRows(observations: Observations): RequirementRow[] {
  return providers.flatMap(provider =>
    provider.requirements.map(req => {
      const base = { provider: provider.id, applies: req.applies, requirement: req.text };
      // A requirement naming an observation this version does not know is not guessed at.
      if (!isObservation(req.observe)) return { ...base, verdict: 'cannot-tell' as const, evidence: `cannot tell from one message: ${req.unobservable ?? `no observation "${req.observe}" in this version of maildiag`}` };
      const seen = observations[req.observe];
      return { ...base, verdict: seen.verdict, evidence: seen.evidence, ...(seen.cause ? { cause: seen.cause, fix: causes[seen.cause].fix } : {}) };
    }),
  );
}
