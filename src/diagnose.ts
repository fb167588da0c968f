// One diagnosis: a target through the pipeline into a report.
import { checks as allChecks } from './checks/index.js';
import type { AnyCheck } from './checks/define.js';
import type { Net } from './net/context.js';
import type { Facts, Target } from './pipeline/facts.js';
import type { RunOptions } from './pipeline/options.js';
import { buildReport } from './pipeline/report.js';
import { runChecks, type RunEvents } from './pipeline/run.js';
import { ipFamily } from './net/ip.js';
import type { Report } from './report/schema.js';

export interface Selection {
  only?: string[];
  skip?: string[];
}

export async function diagnose(target: Target, options: RunOptions, net: Net, selection: Selection = {}, events?: RunEvents, stop?: AbortSignal): Promise<Report> {
  const started = net.time.now();
  const t0 = performance.now();
  const checks = selectChecks(allChecks, target, selection);
  const seed: Partial<Facts> = {
    ...(target.kind === 'ip' ? { hostAddrs: [{ host: target.ascii, ip: target.ascii, family: ipFamily(target.ascii), preference: 0 }] } : {}),
    ...(options.senderIp ? { senderIp: options.senderIp } : {}),
    ...(options.messageFile ? { messageFile: options.messageFile } : {}),
  };
  const results = await runChecks(checks, { target, options, net }, seed, events, stop);
  return buildReport(target, started, performance.now() - t0, results);
}

/** The checks for this kind of target, narrowed by --checks/--skip. --checks keeps the providers of what it needs. */
export function selectChecks(checks: readonly AnyCheck[], target: Target, { only, skip }: Selection): AnyCheck[] {
  const applicable = checks.filter(c => c.targets.includes(target.kind) && !skip?.includes(c.id));
  if (!only?.length) return applicable;
  const wanted = new Set(only);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of applicable.filter(c => wanted.has(c.id))) {
      for (const need of c.needs) {
        const provider = applicable.find(p => (p.provides as string[]).includes(need));
        if (provider && !wanted.has(provider.id)) {
          wanted.add(provider.id);
          grew = true;
        }
      }
    }
  }
  return applicable.filter(c => wanted.has(c.id));
}
