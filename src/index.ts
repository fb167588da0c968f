// The library: what `import { diagnose, audit, explain, causes } from 'maildiag'`
// gives. Options are the command line's, by the same names, validated by the
// same code: a value the CLI refuses with exit status 2 throws a UsageError here.
import { buildSettings, type RunSettings } from './cli/settings.js';
import { runTargets, type Job } from './cli/run-targets.js';
import { parseTarget } from './cli/targets.js';
import { parseList } from './cli/audit-list.js';
import { UsageError } from './cli/errors.js';
import type { CliIo } from './cli/io.js';
import type { Report } from './report/schema.js';

export { explain, ExplainInputError, type ExplainReport, type ExplainEntry } from './explain/index.js';
export { causes, causeIds, isCauseId, type CauseId, type CauseDef, type Severity, type Side } from './causes.js';
export { UsageError };
export type { Report };

export interface DiagnoseOptions {
  /** DNS servers to ask, `ip[:port]`; default: the system's. */
  resolvers?: string[];
  /** Limit for one network operation: `'3s'`, `'1500ms'`, `'2m'`, or milliseconds (at least 100). Default 10 s. */
  timeout?: string | number;
  /** Recipient probed with RCPT TO; default `postmaster@<domain>`. */
  rcpt?: string;
  /** MAIL FROM of the probes; default the null sender. */
  from?: string;
  /** EHLO name of the probes; default this machine's name. */
  helo?: string;
  /** The sending IP to check too: PTR/FCrDNS, DNSBLs, SPF authorisation. */
  ip?: string;
  /** Submission relay to test on 587 and 2525, `host[:port]`. */
  relay?: string;
  /** DKIM selectors to try besides the common ones. */
  dkimSelectors?: string[];
  /** DNSBL zones to query instead of the default set; `[]` for none. */
  dnsbl?: string[];
  /** `false`: open no SMTP session. */
  smtp?: boolean;
  /** `false`: skip the open-relay probe. */
  relayTest?: boolean;
  /** A message received from the domain (.eml path) to verify. */
  message?: string;
  /** Extra trusted CA certificates (PEM file); NODE_EXTRA_CA_CERTS is honoured too. */
  caFile?: string;
  /** Accept loopback/private MX addresses (labs, internal networks). */
  allowPrivate?: boolean;
  /** Run only / skip these check ids. */
  checks?: string[];
  skip?: string[];
  /** Stop: no target starts after it, and the checks under way end; their reports say `interrupted`. */
  signal?: AbortSignal;
}

export interface AuditOptions extends DiagnoseOptions {
  /** Targets diagnosed at once; default 16. */
  concurrency?: number;
  /** Each report as soon as it is done (the returned list keeps the input's order). */
  onReport?(report: Report): void;
}

/** Diagnose one domain or IP address. */
export async function diagnose(target: string, options: DiagnoseOptions = {}): Promise<Report> {
  const [report] = await run([{ target: parseTarget(target) }], options);
  if (!report) throw new UsageError(`${target}: stopped before it started`);
  return report;
}

/**
 * Diagnose many targets through shared caches, as `maildiag audit` does. An
 * entry may be an address (`alice@school.example`): its domain is diagnosed
 * and that recipient probed. Reports come back in the input's order; after a
 * stop, only those of the targets that started.
 */
export async function audit(targets: Iterable<string>, options: AuditOptions = {}): Promise<Report[]> {
  const lines = parseList([...targets].join('\n'));
  const invalid = lines.find(l => l.error);
  if (invalid) throw new UsageError(`entry ${invalid.line}: ${invalid.error}`);
  return run(lines.map(l => ({ target: l.target!, listLine: l.text, ...(l.rcpt ? { rcpt: l.rcpt } : {}) })), options);
}

async function run(jobs: Job[], options: AuditOptions): Promise<Report[]> {
  const io = libraryIo();
  const settings = settingsFor(options, io);
  const reports: Report[] = [];
  await runTargets(jobs, settings, io, (report, index) => {
    reports[index] = report;
    options.onReport?.(report);
  }, options.signal ? { stop: options.signal } : {});
  return reports.filter(Boolean);
}

/** The options in the command line's shape, through the command line's validation. */
function settingsFor(options: AuditOptions, io: CliIo): RunSettings {
  const raw: Record<string, unknown> = {
    resolver: options.resolvers,
    timeout: options.timeout === undefined ? undefined : String(options.timeout),
    rcpt: options.rcpt,
    from: options.from,
    helo: options.helo,
    ip: options.ip,
    relay: options.relay,
    dkimSelector: options.dkimSelectors,
    dnsbl: options.dnsbl?.length === 0 ? false : options.dnsbl,
    smtp: options.smtp,
    relayTest: options.relayTest,
    message: options.message,
    caFile: options.caFile,
    allowPrivate: options.allowPrivate,
    checks: options.checks,
    skip: options.skip,
    concurrency: options.concurrency === undefined ? undefined : String(options.concurrency),
    quiet: true,
  };
  return buildSettings(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)), io, 'json');
}

/** A library prints nothing: the caller gets the reports. */
function libraryIo(): CliIo {
  return { stdout: () => undefined, stderr: () => undefined, stdin: process.stdin, isTTY: false, isErrTTY: false, env: process.env, cwd: process.cwd() };
}
