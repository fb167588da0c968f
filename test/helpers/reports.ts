// A fixed multi-problem report, built through the real ranker and report
// builder, for renderer snapshots and output-safety tests.
import { finding } from '../../src/checks/define.js';
import { buildReport } from '../../src/pipeline/report.js';
import type { CheckResult } from '../../src/pipeline/run.js';
import type { Report } from '../../src/report/schema.js';

export const HOSTILE = 'evil\u001b[31mRED\u001b[0m \u001b]0;pwned\u0007\u001b]8;;http://x.example/\u0007link\u001b]8;;\u0007 \u009b2J bell\u0007 nul\u0000 \u202eboom';

const dmarcSource = { domain: 'example.com', policyDomain: 'example.com', inherited: false };

export function fixedReport(banner = 'mx1.example.com ESMTP ready'): Report {
  const checks: CheckResult[] = [
    { id: 'domain', title: 'Domain exists', status: 'pass', durationMs: 3, findings: [], data: {} },
    {
      id: 'mx', title: 'MX records', status: 'pass', durationMs: 4, findings: [],
      data: { mx: [{ preference: 10, exchange: 'mx1.example.com' }, { preference: 20, exchange: 'mx2.example.com' }] },
    },
    {
      id: 'host-addrs', title: 'MX host addresses', status: 'warn', durationMs: 5,
      findings: [finding('mx.target-invalid', 'cname', { host: 'mx2.example.com', aliases: ['mx2.example.com → relay.example.net'] }, { subjects: ['mx2.example.com'], evidence: ['mx2.example.com CNAME relay.example.net'] })],
      data: {},
    },
    {
      id: 'smtp-reachability', title: 'SMTP on port 25', status: 'warn', durationMs: 120,
      findings: [finding('mx.primary-unreachable', 'backupAnswers', { primary: ['mx1.example.com'], preference: 10, failures: [{ host: 'mx1.example.com', ip: '192.0.2.10', failure: { kind: 'refused' } }], backup: 'mx2.example.com', backupPreference: 20 }, { subjects: ['mx1.example.com'], evidence: [`connect 192.0.2.10:25: refused`, `192.0.2.20:25 <- 220 ${banner}`] })],
      data: {},
    },
    {
      id: 'spf', title: 'SPF', status: 'fail', durationMs: 9,
      findings: [finding('spf.plus-all', 'passesAll', { domain: 'example.com', chain: ['+all'] }, { subjects: ['example.com'], evidence: ['example.com TXT "v=spf1 +all"'] })],
      data: {},
    },
    {
      id: 'dmarc', title: 'DMARC', status: 'warn', durationMs: 6,
      findings: [finding('dmarc.policy-none', 'none', { source: dmarcSource, tag: 'p', policy: 'none' }, { subjects: ['_dmarc.example.com'], evidence: ['_dmarc.example.com TXT "v=DMARC1; p=none"'] }), finding('dmarc.no-reports', 'noRua', { source: dmarcSource }, { subjects: ['_dmarc.example.com'] })],
      data: {},
    },
    { id: 'dane', title: 'DANE', status: 'skipped', durationMs: 0, findings: [], data: { reason: 'needs smtp25, which earlier checks could not provide' } },
  ];
  return buildReport({ kind: 'domain', input: 'example.com', ascii: 'example.com', unicode: 'example.com' }, new Date('2026-11-23T10:00:00.000Z'), 812, checks);
}

/** Markup a hostile server might put in a banner, a TXT record or a bounce. */
export const MARKUP = `<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">"'&`;

/** A report whose banner, TXT record and bounce text all carry markup (and terminal escapes). */
export function hostileReport(target = 'example.com'): Report {
  const report = fixedReport(`mx1.example.com ESMTP ${MARKUP} ${HOSTILE}`);
  return {
    ...report,
    target,
    ascii: target,
    diagnosis: report.diagnosis.map(d => ({
      ...d,
      messages: [...d.messages, `550 5.7.1 <postmaster@example.com>: ${MARKUP} rejected`],
      evidence: [...d.evidence, `${target} TXT "v=spf1 ${MARKUP}"`],
    })),
  };
}
