// The JSON output of `maildiag explain --json` (shared/spec/cli.md), as zod
// schemas: the explain types are inferred from them, the tests parse real
// output with them, and docs/explain.schema.json is generated from them.
import { z } from 'zod';
import { causeIdSchema, reportSchema, sideSchema } from './schema.js';

export const stageSchema = z.enum(['dns', 'connect', 'helo', 'starttls', 'auth', 'mail', 'rcpt', 'data', 'data-end']);
export const inputKindSchema = z.enum(['dsn', 'message', 'ndr', 'log', 'reply', 'text']);

export const explainEntrySchema = z.object({
  cause: causeIdSchema,
  /** 0..1: how strongly the text points at this cause. */
  confidence: z.number().min(0).max(1),
  side: sideSchema,
  /** The sender's MTA will retry (4xx, deferred) rather than bounce. */
  temporary: z.boolean(),
  evidence: z.array(z.string()),
  title: z.string(),
  fix: z.string(),
  statusCodes: z.array(z.string()),
  stage: stageSchema.optional(),
  remoteMta: z.string().optional(),
  recipient: z.string().optional(),
  provider: z.string().optional(),
  secondary: z.array(z.object({ cause: causeIdSchema, confidence: z.number().min(0).max(1), evidence: z.array(z.string()) })),
  /** Subjects a live check could use to confirm the cause (maildiag explain --check). */
  confirm: z.object({ ip: z.string().optional(), domain: z.string().optional(), list: z.string().optional() }).optional(),
});

export const explainReportSchema = z.object({
  causes: z.array(explainEntrySchema),
  parsed: z.object({
    kind: inputKindSchema,
    entries: z.number().int().nonnegative(),
    statusCodes: z.array(z.string()),
    remoteMtas: z.array(z.string()),
    recipients: z.array(z.string()),
    reportingMta: z.string().optional(),
    sender: z.string().optional(),
    subject: z.string().optional(),
    /** Part of the input was not read (over the analysis limit). */
    truncated: z.boolean(),
    /** Recipients the parser found but could not classify. */
    unclassified: z.number().int().nonnegative(),
  }),
  /** With --check: the reports of the live checks that can confirm the causes. */
  live: z.array(reportSchema).optional(),
});

export type ExplainEntry = z.infer<typeof explainEntrySchema>;
export type ExplainReport = z.infer<typeof explainReportSchema>;
