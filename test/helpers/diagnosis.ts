// Run a diagnosis against a simulated world: the sim DNS as resolver,
// documentation addresses mapped to in-process servers, private addresses
// allowed (documentation ranges are not global), selected checks only.
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import type { AddressMap } from '../../src/net/dialer.js';
import { defaultRunOptions, type RunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';
import type { SimDnsServer } from '../../src/sim/dns-server.js';
import { testNet } from './net.js';

/** A run's options, and the net's --timeout (default 2 s). */
export type WorldOptions = Partial<RunOptions> & { timeoutMs?: number };

export interface WorldRun {
  dns: SimDnsServer;
  /** "192.0.2.10:25" → the in-process server's port on 127.0.0.1. */
  ports?: Record<string, number>;
  only: string[];
  options?: WorldOptions;
}

export async function diagnoseWorld(target: string, run: WorldRun): Promise<Report> {
  const { timeoutMs = 2000, ...options } = run.options ?? {};
  const addressMap: AddressMap = new Map(Object.entries(run.ports ?? {}).map(([endpoint, port]) => [endpoint, { host: '127.0.0.1', port }]));
  const net = testNet(timeoutMs, [run.dns.server], { addressMap });
  return diagnose(parseTarget(target), defaultRunOptions({ allowPrivate: true, ...options }), net, { only: run.only });
}

/** The findings of one check, as cause ids with their severity: what tests assert on. */
export function causesOf(report: Report, checkId: string): string[] {
  return checkOf(report, checkId).findings.map(f => `${f.cause}:${f.severity}`);
}

export function checkOf(report: Report, checkId: string): Report['checks'][number] {
  const check = report.checks.find(c => c.id === checkId);
  if (!check) throw new Error(`check ${checkId} did not run; ran: ${report.checks.map(c => c.id).join(', ')}`);
  return check;
}
