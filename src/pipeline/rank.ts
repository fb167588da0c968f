// The ranker: a pure function from findings to a diagnosis. Order: causes not
// explained by another present cause first, then severity, then causal order
// (the registry's order), then how many subjects are affected. A symptom whose
// root cause is present is folded under that root instead of listed.
import { causalOrder, causes, fixFor, type CauseDef, type CauseId, type Severity, type Side } from '../causes.js';
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
  const present = new Set(findings.map(f => f.cause));
  const rootOf = (symptom: Finding): CauseId | undefined => [...present].find(root => root !== symptom.cause && explainsFinding(root, symptom) && !masksEachOther(root, symptom.cause));
  const folded = new Map<CauseId, Set<CauseId>>();
  const listed = findings.filter(f => {
    const root = rootOf(f);
    if (root) folded.set(root, (folded.get(root) ?? new Set()).add(f.cause));
    return !root;
  });
  return groupByCause(listed)
    .sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        causalOrder[a.cause]! - causalOrder[b.cause]! ||
        b.subjects.length - a.subjects.length,
    )
    .map((g, i) => ({ ...g, rank: i + 1, explains: [...(folded.get(g.cause) ?? [])] }));
}

/** Whether `root` explains this finding: its whole cause, or (masksMessages) this message of it. */
function explainsFinding(root: CauseId, symptom: Finding): boolean {
  const def: CauseDef = causes[root];
  return Boolean(def.masks?.includes(symptom.cause) || def.masksMessages?.[symptom.cause]?.includes(symptom.messageId));
}

/** Two causes that mask each other would fold both away: keep both listed. */
function masksEachOther(a: CauseId, b: CauseId): boolean {
  return Boolean((causes[b] as CauseDef).masks?.includes(a));
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
      // A case with its own advice (a policy listing beside a spam listing) adds it after the worse one's; the same advice is said once.
      fix: unique(bySeverity(list).map(f => fixFor(cause, f.messageId))).join(' '),
      messages: unique(list.map(f => f.message)),
      subjects: unique(list.flatMap(f => f.subjects)),
      evidence: unique(list.flatMap(f => f.evidence)).slice(0, MAX_EVIDENCE),
    };
  });
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];
const bySeverity = (list: readonly Finding[]): Finding[] => [...list].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
