// The bounce corpus (fixtures/bounces): loading it and scoring explain() on it.
// Shared by the accuracy bench and the accuracy test.
import { readFileSync } from 'node:fs';
import { explain, type ExplainEntry } from '../src/explain/index.js';

export const CORPUS_DIR = new URL('../../fixtures/bounces/', import.meta.url);

export interface Expectation {
  cause: string;
  temporary: boolean;
  recipient?: string;
}

export interface CorpusCase {
  file: string;
  format: string;
  source: string;
  expect: Expectation[];
}

export interface CaseResult {
  file: string;
  expected: Expectation;
  got?: ExplainEntry;
  /** Class of the first status code explain reported (4 = transient, 5 = permanent). */
  statusClass?: 4 | 5;
}

/** The causes of causes.md's "From bounce / NDR text" section: each needs at least 3 cases. */
export const BOUNCE_SECTION_CAUSES = [
  'mailbox.full', 'message.too-large', 'recipient.unknown', 'recipient.disabled', 'auth.required', 'relay.denied',
  'reputation.poor', 'rate.limited', 'policy.multi-domain-deferral', 'delivery.delayed', 'delivery.expired',
  'auth.spf-fail', 'auth.dkim-fail', 'auth.dmarc-reject', 'auth.unauthenticated', 'content.rejected',
  'message.malformed', 'sender.domain-invalid', 'sender.unverified', 'routing.loop',
];

export function loadCorpus(): CorpusCase[] {
  return JSON.parse(readFileSync(new URL('index.json', CORPUS_DIR), 'utf8')) as CorpusCase[];
}

export const readCase = (c: CorpusCase) => readFileSync(new URL(c.file, CORPUS_DIR));

export function scoreCorpus(cases: CorpusCase[]): CaseResult[] {
  return cases.flatMap(c => {
    const report = explain(readCase(c));
    return c.expect.map((expected, i) => {
      const got = expected.recipient
        ? report.causes.find(e => e.recipient?.toLowerCase() === expected.recipient!.toLowerCase())
        : report.causes[i];
      const first = got?.statusCodes[0]?.[0];
      return { file: c.file, expected, got, statusClass: first === '4' ? 4 : first === '5' ? 5 : undefined };
    });
  });
}

export const primaryAccuracy = (results: CaseResult[]) => results.filter(r => r.got?.cause === r.expected.cause).length / results.length;

// The wild corpus (fixtures/bounces/wild): real bounce texts from public sources,
// split 1 in 3 into a held-aside part that no rule was tuned on.
export const WILD_SPLITS = ['tuning', 'held-aside'] as const;
export type WildSplit = (typeof WILD_SPLITS)[number];

export interface WildCase {
  origin: string;
  source: string;
  cause: string;
  temporary: boolean;
  text: string;
}

export interface WildResult {
  origin: string;
  expected: { cause: string; temporary: boolean };
  got?: ExplainEntry;
}

export function loadWild(split: WildSplit): WildCase[] {
  return JSON.parse(readFileSync(new URL(`wild/${split}.json`, CORPUS_DIR), 'utf8')) as WildCase[];
}

export function scoreWild(cases: WildCase[]): WildResult[] {
  return cases.map(c => ({ origin: c.origin, expected: { cause: c.cause, temporary: c.temporary }, got: explain(c.text).causes[0] }));
}
