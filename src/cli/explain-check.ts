// `maildiag explain --check`: run the live checks that can confirm what a
// bounce says — the named IP against the named list and its PTR, the domain's
// MX and reachability for routing causes, its SPF/DMARC for authentication
// causes — and hand back their reports to print after the explanation.
import type { ExplainReport } from '../explain/index.js';
import { diagnose } from '../diagnose.js';
import { createNet, type Net } from '../net/context.js';
import type { DnsServer } from '../net/dns/index.js';
import { defaultRunOptions } from '../pipeline/options.js';
import type { Report } from '../report/schema.js';
import { parseTarget } from './targets.js';

export interface LiveCheckSettings {
  resolvers: DnsServer[];
  /** --timeout; without it the net's default. */
  timeoutMs: number | undefined;
  loopbackOnly: boolean;
  allowPrivate: boolean;
}

interface Plan {
  target: string;
  checks: string[];
  dnsbl?: string[];
}

/** Which checks confirm which causes; the domain checks also bring the MX facts they need. */
function planFor(cause: string, confirm: { ip?: string; domain?: string; list?: string }): Plan | undefined {
  if (confirm.ip && /^(?:rbl\.listed|rbl\.query-refused|reputation\.poor)$/.test(cause)) return { target: confirm.ip, checks: ['ptr', 'dnsbl'], ...(confirm.list ? { dnsbl: [confirm.list] } : {}) };
  if (confirm.ip && cause.startsWith('ptr.')) return { target: confirm.ip, checks: ['ptr'] };
  if (!confirm.domain) return undefined;
  if (/^(?:auth\.|sender\.domain-invalid|spf\.|dmarc\.)/.test(cause)) return { target: confirm.domain, checks: ['spf', 'dmarc'] };
  if (cause === 'rbl.domain-listed') return { target: confirm.domain, checks: ['dnsbl-domain'], ...(confirm.list ? { dnsbl: [confirm.list] } : {}) };
  if (/^(?:smtp\.|tls\.|network\.)/.test(cause)) return { target: confirm.domain, checks: ['smtp-reachability', 'starttls'] };
  if (/^(?:dns\.|domain\.|mx\.|recipient\.unknown)/.test(cause)) return { target: confirm.domain, checks: ['host-addrs'] };
  return undefined;
}

/** The checks run through `net` (a fresh one unless given), which is finished before they are handed back: every session has said QUIT and closed. */
export async function runLiveChecks(report: ExplainReport, settings: LiveCheckSettings, net: Net = createLiveNet(settings)): Promise<Report[]> {
  const plans = new Map<string, Plan>();
  for (const entry of report.causes) {
    const plan = entry.confirm && planFor(entry.cause, entry.confirm);
    if (!plan) continue;
    const key = `${plan.target}|${plan.dnsbl ?? ''}`;
    const known = plans.get(key);
    plans.set(key, known ? { ...known, checks: [...new Set([...known.checks, ...plan.checks])] } : plan);
  }
  try {
    return await Promise.all(
      [...plans.values()].map(plan =>
        diagnose(parseTarget(plan.target), defaultRunOptions({ allowPrivate: settings.allowPrivate, relayTest: false, ...(plan.dnsbl ? { dnsbl: plan.dnsbl } : {}) }), net, { only: plan.checks }),
      ),
    );
  } finally {
    await net.finish();
  }
}

const createLiveNet = (settings: LiveCheckSettings): Net => createNet({ resolvers: settings.resolvers, timeoutMs: settings.timeoutMs, loopbackOnly: settings.loopbackOnly });
