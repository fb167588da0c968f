// The JSON report contract of shared/spec/cli.md, as zod schemas. The Report
// type is inferred from them, so the compiler holds every report maildiag
// builds to the contract; the tests parse real --json/--format jsonl output
// with them (loading zod costs ~100 ms, too much for every run), and
// docs/report.schema.json is generated from them.
import { z } from 'zod';
import { causeIds, causes, formatMessage, formatTakes, isFormat, placeholders, SEVERITIES, SIDES, type CauseId } from '../causes.js';
import { CHECK_STATUSES, UNFINISHED } from '../pipeline/run.js';

export const causeIdSchema = z.enum(causeIds as [CauseId, ...CauseId[]]);
export const severitySchema = z.enum(SEVERITIES);
export const sideSchema = z.enum(SIDES);

export const findingSchema = z
  .object({
    cause: causeIdSchema,
    /** Which of the cause's messages (docs/causes.md) the message is. */
    messageId: z.string(),
    severity: severitySchema,
    side: sideSchema,
    /** The messageId's template filled with data. */
    message: z.string(),
    subjects: z.array(z.string()),
    evidence: z.array(z.string()),
    /** Every placeholder of the message, and what else the check saw (findingWordsSchema says which fields). */
    data: z.record(z.string(), z.unknown()),
  })
  .superRefine((f, ctx) => {
    try {
      if (formatMessage(f.cause, f.messageId, f.data) !== f.message) ctx.addIssue({ code: 'custom', message: `message is not ${f.cause}/${f.messageId} filled with data` });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

/** A placeholder's JSON type: lists are arrays (of strings and numbers, or of objects), the rest objects, strings or numbers. */
function placeholderSchema(format: string | undefined) {
  if (format === undefined || !isFormat(format)) return z.union([z.string(), z.number()]);
  switch (formatTakes(format)) {
    case 'array': return z.array(z.union([z.string(), z.number()]));
    case 'object': return z.record(z.string(), z.unknown());
    case 'objects': return z.array(z.record(z.string(), z.unknown()));
    case 'number': return z.number();
    case 'string': return z.string();
  }
}

/** Per cause and messageId, the data fields its message needs (documentation of findingSchema's data; extra fields allowed). */
export const findingWordsSchema = z.union(
  causeIds.flatMap(cause =>
    Object.entries(causes[cause].messages ?? {}).map(([messageId, template]) =>
      z.object({
        cause: z.literal(cause),
        messageId: z.literal(messageId),
        data: z.looseObject(Object.fromEntries(placeholders(template).map(p => [p.name, placeholderSchema(p.format)]))),
      }),
    ),
  ) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]],
);

export const checkResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(CHECK_STATUSES),
  durationMs: z.number().int().nonnegative(),
  findings: z.array(findingSchema),
  data: z.record(z.string(), z.unknown()),
});

export const diagnosisEntrySchema = z.object({
  rank: z.number().int().positive(),
  cause: causeIdSchema,
  severity: severitySchema,
  side: sideSchema,
  title: z.string(),
  explanation: z.string(),
  fix: z.string(),
  messages: z.array(z.string()),
  subjects: z.array(z.string()),
  evidence: z.array(z.string()),
  explains: z.array(causeIdSchema),
});

const verdictSchema = z.enum(['ok', ...SEVERITIES]);

/** A cause as a comparison names it. */
export const causeRefSchema = z.object({
  cause: causeIdSchema,
  severity: severitySchema,
  side: sideSchema,
  title: z.string(),
});

/** With --compare: what changed for this target since the baseline run. */
export const targetChangesSchema = z.object({
  /**
   * worse: a warning or error appeared or got more severe; incomplete: short of
   * that, a warning or error could not be compared (not rechecked now, or not
   * looked for in the baseline), or the run was interrupted;
   * better: one went away or got milder; added: not in the baseline.
   */
  status: z.enum(['worse', 'incomplete', 'better', 'unchanged', 'added']),
  previousVerdict: verdictSchema.nullable(),
  new: z.array(causeRefSchema),
  /** Gone, and the check that reports it looked again. */
  resolved: z.array(causeRefSchema),
  /** Gone because the check that reports it did not run or could not conclude this time: not known to be fixed. */
  notRechecked: z.array(causeRefSchema),
  /** Found now, but the check that reports it did not run or conclude in the baseline: not known to be new (still a regression for the exit status, since it was never reported). */
  notCheckedBefore: z.array(causeRefSchema),
  changed: z.array(causeRefSchema.omit({ severity: true }).extend({ from: severitySchema, to: severitySchema })),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('maildiag'), version: z.string() }),
  target: z.string(),
  ascii: z.string(),
  kind: z.enum(['domain', 'ip']),
  startedAt: z.string().datetime(),
  durationMs: z.number().int().nonnegative(),
  verdict: verdictSchema,
  diagnosis: z.array(diagnosisEntrySchema),
  checks: z.array(checkResultSchema),
  /** The checks that did not finish looking (interrupted, untestable, failed): the verdict covers only what was seen. */
  incomplete: z.array(z.object({ id: z.string(), status: z.enum(UNFINISHED), reason: z.string() })),
  changes: targetChangesSchema.optional(),
  /** The audit list line this report answers, as written (an address line keeps its address): what --resume matches. */
  listLine: z.string().optional(),
  /** Ctrl-C cut the diagnosis short: the checks that had not finished say so, and --resume runs the target again. */
  interrupted: z.literal(true).optional(),
});

export type Report = z.infer<typeof reportSchema>;
export type CauseRef = z.infer<typeof causeRefSchema>;
export type TargetChanges = z.infer<typeof targetChangesSchema>;

/** The last line of `audit --compare --format jsonl` (the whole object with --format json): the run against its baseline. */
export const comparisonSchema = z.object({
  comparison: z.object({
    /** The baseline file as given to --compare. */
    baseline: z.string(),
    worse: z.number().int().nonnegative(),
    better: z.number().int().nonnegative(),
    incomplete: z.number().int().nonnegative(),
    unchanged: z.number().int().nonnegative(),
    added: z.number().int().nonnegative(),
    /** Targets of the baseline that are no longer in the list. */
    removed: z.array(z.object({ target: z.string(), ascii: z.string(), verdict: verdictSchema })),
    /** Targets of this run's list that never started (Ctrl-C came first): neither changed, unchanged nor removed; --resume runs them. Targets left out on purpose (--shard, --resume) are not listed. */
    notChecked: z.array(z.object({ target: z.string(), ascii: z.string(), previousVerdict: verdictSchema.nullable() })),
  }),
});

export type ComparisonSummary = z.infer<typeof comparisonSchema>['comparison'];

/** What --compare reads of each earlier report (extra fields are dropped, so a big baseline stays small in memory). */
export const baselineReportSchema = z.object({
  target: z.string(),
  ascii: z.string(),
  verdict: verdictSchema,
  diagnosis: z.array(causeRefSchema),
  /** Which checks reached a verdict then (absent from a trimmed report: taken as all). */
  checks: z.array(z.object({ id: z.string(), status: z.string(), findings: z.array(z.object({ cause: z.string() })) })).optional(),
});

export type BaselineReport = z.infer<typeof baselineReportSchema>;
