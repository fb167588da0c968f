// The JSON report contract of shared/spec/cli.md, as zod schemas. The Report
// type is inferred from them, so the compiler holds every report maildiag
// builds to the contract; the tests parse real --json/--format jsonl output
// with them (loading zod costs ~100 ms, too much for every run), and
// docs/report.schema.json is generated from them.
import { z } from 'zod';
import { causeIds, SEVERITIES, SIDES, type CauseId } from '../causes.js';

export const causeIdSchema = z.enum(causeIds as [CauseId, ...CauseId[]]);
export const severitySchema = z.enum(SEVERITIES);
export const sideSchema = z.enum(SIDES);

export const findingSchema = z.object({
  cause: causeIdSchema,
  severity: severitySchema,
  side: sideSchema,
  message: z.string(),
  subjects: z.array(z.string()),
  evidence: z.array(z.string()),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const checkResultSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'warn', 'fail', 'info', 'skipped', 'error']),
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

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('maildiag'), version: z.string() }),
  target: z.string(),
  ascii: z.string(),
  kind: z.enum(['domain', 'ip']),
  startedAt: z.string().datetime(),
  durationMs: z.number().int().nonnegative(),
  verdict: z.enum(['ok', ...SEVERITIES]),
  diagnosis: z.array(diagnosisEntrySchema),
  checks: z.array(checkResultSchema),
});

export type Report = z.infer<typeof reportSchema>;
