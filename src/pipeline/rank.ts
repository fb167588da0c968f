// The ranker: a pure function from findings to a diagnosis. Order: causes not
// explained by another present cause first, then severity, then causal order
// (the registry's order), then how many subjects are affected. A symptom whose
// root cause is present is folded under that root instead of listed.
import { causalOrder, causes, type CauseId, type Severity, type Side } from '../causes.js';
import type { Finding } from '../checks/define.js';

export interface DiagnosisEntry {
  rank: number;
  cause: CauseId;
  severity: Severity;
  side: Side;
  title: string;
  explanation: string;
  fix: string;
  /** The findings' own lines: which host, which record, which reply. */
  messages: string[];
  subjects: string[];
  evidence: string[];
  /** Symptoms present in the report that this cause explains. */
  explains: CauseId[];
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const MAX_EVIDENCE = 12;

export function rank(findings: readonly Finding[]): DiagnosisEntry[] {
  const groups = groupByCause(findings);
  const present = new Set(groups.map(g => g.cause));
  const rootOf = (id: CauseId): CauseId | undefined =>
    [...present].find(root => root !== id && (causes[root].masks as readonly string[] | undefined)?.includes(id) && !masksEachOther(root, id));
  const folded = new Map<CauseId, CauseId>();
  for (const g of groups) {
    const root = rootOf(g.cause);
    if (root) folded.set(g.cause, root);
  }
  return groups
    .filter(g => !folded.has(g.cause))
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        causalOrder[a.cause]! - causalOrder[b.cause]! ||
        b.subjects.length - a.subjects.length,
    )
    .map((g, i) => ({ ...g, rank: i + 1, explains: [...folded].filter(([, root]) => root === g.cause).map(([symptom]) => symptom) }));
}

/** Two causes that mask each other would fold both away: keep both listed. */
function masksEachOther(a: CauseId, b: CauseId): boolean {
  return Boolean((causes[b].masks as readonly string[] | undefined)?.includes(a));
}

function groupByCause(findings: readonly Finding[]): Omit<DiagnosisEntry, 'rank' | 'explains'>[] {
  const groups = new Map<CauseId, Finding[]>();
  for (const f of findings) groups.set(f.cause, [...(groups.get(f.cause) ?? []), f]);
  return [...groups].map(([cause, list]) => {
    const def = causes[cause];
    const worst = list.reduce((w, f) => (SEVERITY_RANK[f.severity] < SEVERITY_RANK[w.severity] ? f : w));
    return {
      cause,
      severity: worst.severity,
      side: worst.side,
      title: def.title,
      explanation: def.explanation,
      fix: def.fix,
      messages: unique(list.map(f => f.message)),
      subjects: unique(list.flatMap(f => f.subjects)),
      evidence: unique(list.flatMap(f => f.evidence)).slice(0, MAX_EVIDENCE),
    };
  });
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];
