// The scheduler: every check starts at once and awaits the facts it needs
// and those it uses (it runs without those). A missing needed fact skips the
// check (and, in turn, whatever needed its facts); a thrown error or an
// exhausted budget becomes that check's `error` entry.
// Could not look is never "pass": a check stopped by Ctrl-C is `interrupted`,
// and one whose sessions stopped short of the stage it judges is `untestable`.
import type { AnyCheck, CheckContext, CheckOutput, Finding } from '../checks/define.js';
import type { SmtpProbe } from '../net/smtp/index.js';
import { sessionsShortOf } from './coverage.js';
import { OPTION_FACTS, type FactKey, type Facts } from './facts.js';

export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'info', 'skipped', 'error', 'interrupted', 'untestable'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** Statuses of a check that did not finish looking: the report lists them, and the headline says INCOMPLETE. */
export const UNFINISHED = ['error', 'interrupted', 'untestable'] as const satisfies readonly CheckStatus[];

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  durationMs: number;
  findings: Finding[];
  data: Record<string, unknown>;
}

export interface RunEvents {
  start?(check: AnyCheck): void;
  end?(check: AnyCheck, result: CheckResult): void;
}

const UNAVAILABLE = Symbol('unavailable');
type Slot = { promise: Promise<unknown>; resolve(value: unknown): void };

function slot(): Slot {
  let resolve!: (value: unknown) => void;
  const promise = new Promise<unknown>(r => (resolve = r));
  return { promise, resolve };
}

export async function runChecks(
  checks: readonly AnyCheck[],
  ctx: Omit<CheckContext, 'signal'>,
  seed: Partial<Facts>,
  events: RunEvents = {},
  /** The whole run is being stopped (Ctrl-C): checks are told to stop too. */
  stop?: AbortSignal,
): Promise<CheckResult[]> {
  const board = new Map<FactKey, Slot>();
  for (const [key, value] of Object.entries(seed) as [FactKey, unknown][]) {
    const s = slot();
    s.resolve(value);
    board.set(key, s);
  }
  for (const check of checks) for (const key of check.provides as FactKey[]) if (!board.has(key)) board.set(key, slot());
  const stopped = whenStopped(stop);

  const runOne = async (check: AnyCheck): Promise<CheckResult> => {
    const needs = check.needs as FactKey[];
    const uses = (check.uses ?? []) as FactKey[];
    const awaitAll = (keys: FactKey[]) => Promise.all(keys.map(key => board.get(key)?.promise ?? UNAVAILABLE));
    const [got, used] = await Promise.all([awaitAll(needs), awaitAll(uses)]);
    const missing = needs.filter((_, i) => got[i] === UNAVAILABLE);
    const started = performance.now();
    let output: CheckOutput<FactKey> | undefined;
    let result: CheckResult;
    events.start?.(check);
    try {
      if (missing.length) {
        // What a stopped run did not get to is not "skipped": it was never looked at.
        result = stop?.aborted ? errored(check, new Interrupted(), started) : skipped(check, skipReason(missing));
      } else {
        // Plain assignments, not entries arrays and Object.fromEntries: ~28 checks per diagnosis (profile of `npm run bench`).
        const input: Partial<Facts> = {};
        const put = input as Record<FactKey, unknown>;
        needs.forEach((key, i) => (put[key] = got[i]));
        uses.forEach((key, i) => used[i] !== UNAVAILABLE && (put[key] = used[i]));
        output = await withBudget(ctx.net.time.budgetMs(check.budget ?? 'lookups'), stopped, signal => check.run(input, { ...ctx, get signal() { return signal(); } }));
        result = ran(check, output, started, check.judges ? sessionsShortOf(input.smtp25 ?? ([] as SmtpProbe[]), check.judges) : []);
      }
    } catch (err) {
      result = errored(check, err, started);
    } finally {
      for (const key of check.provides as FactKey[]) {
        const value = output?.provided?.[key];
        board.get(key)!.resolve(value === undefined ? UNAVAILABLE : value);
      }
    }
    events.end?.(check, result);
    return result;
  };

  try {
    return await Promise.all(checks.map(runOne));
  } finally {
    stopped.release();
  }
}

/**
 * One listener on the run's stop signal per diagnosis, not per check: an
 * audit has hundreds of diagnoses under way, and each listener added to or
 * removed from one signal walks its list. Checks under way are told through
 * a Set they leave when they end, so a finished check's closures are not held
 * until the diagnosis ends (a `.then` on a stop that never comes held them).
 */
function whenStopped(stop: AbortSignal | undefined): { listen(end: () => void): () => void; release(): void } {
  const listening = new Set<() => void>();
  let stopped = false;
  const onStop = () => {
    stopped = true;
    for (const end of listening) end();
  };
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  return {
    listen(end) {
      if (stopped) end();
      else listening.add(end);
      return () => listening.delete(end);
    },
    release: () => stop?.removeEventListener('abort', onStop),
  };
}

export class BudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`did not finish within ${(budgetMs / 1000).toFixed(1)} s`);
  }
}

/** The run was stopped (Ctrl-C) before this check finished. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted before it finished');
  }
}

/**
 * Run a check with its own abort signal, ended by its budget or by the run's
 * stop, whichever comes first. The signal is made only when the check reads
 * it (a getter on its context): of the ~28 checks of a diagnosis only the
 * MTA-STS fetch does, and an AbortController, Promise.race and a rejected
 * "ended" promise per check were ~3 % of an audit's CPU in a profile.
 */
function withBudget<T>(budgetMs: number, stopped: ReturnType<typeof whenStopped>, run: (signal: () => AbortSignal) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let controller: AbortController | undefined;
    let endedBy: Error | undefined;
    let settled = false;
    let unlisten = (): unknown => undefined;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      unlisten();
    };
    // A check that returns as soon as it is told to stop still did not finish: the promise is rejected already.
    const end = (reason: Error) => {
      if (settled) return;
      settle();
      endedBy = reason;
      controller?.abort(reason);
      reject(reason);
    };
    const timer = setTimeout(() => end(new BudgetExceeded(budgetMs)), budgetMs);
    const signal = () => {
      controller ??= new AbortController();
      if (endedBy && !controller.signal.aborted) controller.abort(endedBy);
      return controller.signal;
    };
    try {
      run(signal).then(result => (settle(), resolve(result)), (err: unknown) => (settle(), reject(err)));
    } catch (err) {
      settle();
      reject(err);
    }
    if (!settled) unlisten = stopped.listen(() => end(new Interrupted()));
  });
}

const SEVERITY_STATUS = { error: 'fail', warning: 'warn', info: 'info' } as const;

export function statusOf(findings: readonly Finding[]): CheckStatus {
  if (findings.some(f => f.severity === 'error')) return SEVERITY_STATUS.error;
  if (findings.some(f => f.severity === 'warning')) return SEVERITY_STATUS.warning;
  if (findings.some(f => f.severity === 'info')) return SEVERITY_STATUS.info;
  return 'pass';
}

/** A check's result; `unlooked` are the sessions it judges that stopped short of its stage. */
function ran(check: AnyCheck, output: CheckOutput<FactKey>, started: number, unlooked: string[]): CheckResult {
  const undeclared = output.findings.filter(f => !check.emits.includes(f.cause));
  if (undeclared.length) throw new Error(`check ${check.id} emitted undeclared causes: ${undeclared.map(f => f.cause).join(', ')}`);
  const status = statusOf(output.findings);
  const result = {
    id: check.id,
    title: check.title,
    status: declaredStatus(status, output.status),
    durationMs: Math.round(performance.now() - started),
    findings: output.findings,
    data: output.data ?? {},
  };
  // Nothing wrong in what it saw is not a pass when part of it was never seen.
  const sawNothingWrong = result.status === 'pass' || result.status === 'untestable' || (result.status === 'info' && !output.findings.length);
  if (!unlooked.length || !sawNothingWrong) return result;
  const notLooked = `not looked at: ${unlooked.join('; ')}`;
  const own = result.status === 'untestable' ? result.data['reason'] : undefined;
  const reason = own ? `${String(own)}; ${notLooked}` : notLooked;
  return { ...result, status: 'untestable', data: { ...result.data, reason, unlooked } };
}

/** What the check says of itself, where its findings leave room: `info` over a pass, `untestable` over a pass or info. */
function declaredStatus(found: CheckStatus, declared: CheckOutput<FactKey>['status']): CheckStatus {
  if (declared === 'untestable') return found === 'pass' || found === 'info' ? declared : found;
  return found === 'pass' && declared ? declared : found;
}

function skipReason(missing: FactKey[]): string {
  const options = missing.flatMap(key => OPTION_FACTS[key] ?? []);
  if (options.length) return `runs only with ${options.join(' and ')}`;
  return `needs ${missing.join(', ')}, which earlier checks could not provide`;
}

function skipped(check: AnyCheck, reason: string): CheckResult {
  return { id: check.id, title: check.title, status: 'skipped', durationMs: 0, findings: [], data: { reason } };
}

function errored(check: AnyCheck, err: unknown, started: number): CheckResult {
  const message = err instanceof Error ? err.message : String(err);
  return {
    id: check.id,
    title: check.title,
    status: err instanceof Interrupted ? 'interrupted' : 'error',
    durationMs: Math.round(performance.now() - started),
    findings: [],
    data: { error: message, reason: err instanceof BudgetExceeded ? 'budget' : err instanceof Interrupted ? 'interrupted' : 'internal' },
  };
}
