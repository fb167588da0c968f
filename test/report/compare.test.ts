// audit --compare: every kind of change between two runs, the comparison line
// and its schema, and an exit status that comes from regressions only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareTarget, regressions } from '../../src/report/compare.js';
import { comparisonSchema, reportSchema, type Report } from '../../src/report/schema.js';
import { startSimDns, type SimDnsServer } from '../../src/sim/dns-server.js';
import { fixedReport } from '../helpers/reports.js';
import { runMain } from '../helpers/cli.js';
import { renderers } from '../helpers/renderers.js';

test('compareTarget: new, resolved and re-graded causes, and whether the target got worse or better', () => {
  const now = fixedReport();
  const severities = (r: Report) => Object.fromEntries(r.diagnosis.map(d => [d.cause, d.severity]));
  assert.deepEqual(severities(now), { 'spf.plus-all': 'error', 'mx.target-invalid': 'warning', 'mx.primary-unreachable': 'warning', 'dmarc.policy-none': 'warning', 'dmarc.no-reports': 'info' });
  const edit = (f: (d: Report['diagnosis']) => Report['diagnosis']) => ({ ...now, diagnosis: f(now.diagnosis) });

  assert.equal(compareTarget(now, now).status, 'unchanged');
  const added = compareTarget(undefined, now);
  assert.deepEqual([added.status, added.previousVerdict, added.new.length], ['added', null, 5]);

  const appeared = compareTarget(edit(d => d.filter(e => e.cause !== 'spf.plus-all')), now);
  assert.deepEqual([appeared.status, appeared.new.map(c => c.cause), appeared.resolved], ['worse', ['spf.plus-all'], []]);

  const graded = compareTarget(edit(d => d.map(e => (e.cause === 'mx.target-invalid' ? { ...e, severity: 'info' } : e))), now);
  assert.deepEqual([graded.status, graded.changed], ['worse', [{ cause: 'mx.target-invalid', side: 'recipient', title: now.diagnosis.find(d => d.cause === 'mx.target-invalid')!.title, from: 'info', to: 'warning' }]]);

  const fixed = compareTarget(now, edit(d => d.filter(e => e.cause !== 'spf.plus-all')));
  assert.deepEqual([fixed.status, fixed.resolved.map(c => c.cause), fixed.new], ['better', ['spf.plus-all'], []]);

  // A note coming or going is listed, but the target's health did not change.
  const note = compareTarget(edit(d => d.filter(e => e.cause !== 'dmarc.no-reports')), now);
  assert.deepEqual([note.status, note.new.map(c => c.cause)], ['unchanged', ['dmarc.no-reports']]);

  // Something fixed while something else broke: worse, and both are listed.
  const both = compareTarget(edit(d => d.filter(e => e.cause !== 'spf.plus-all')), edit(d => d.filter(e => e.cause !== 'dmarc.policy-none')));
  assert.deepEqual([both.status, both.new.map(c => c.cause), both.resolved.map(c => c.cause)], ['worse', ['spf.plus-all'], ['dmarc.policy-none']]);

  // Gone while its check could not look: not rechecked, never "resolved".
  const unlooked = { ...edit(d => d.filter(e => e.cause !== 'spf.plus-all')), checks: now.checks.map(c => (c.id === 'spf' ? { ...c, status: 'skipped' as const, findings: [] } : c)) };
  const notLooked = compareTarget(now, unlooked);
  assert.deepEqual([notLooked.status, notLooked.resolved, notLooked.notRechecked.map(c => c.cause)], ['incomplete', [], ['spf.plus-all']]);
  const inconclusive = { ...unlooked, checks: now.checks.filter(c => c.id !== 'spf').concat({ ...now.checks.find(c => c.id === 'spf')!, status: 'info', findings: [], data: { reason: 'no answer' } }) };
  assert.equal(compareTarget(now, inconclusive).status, 'incomplete');
  assert.equal(compareTarget(now, { ...unlooked, checks: unlooked.checks.filter(c => c.id !== 'spf') }).status, 'incomplete', '--skip spf');

  // Found now, but the baseline's check did not look: not known to be new, yet never reported, so still a regression.
  const baselineUnlooked = compareTarget({ ...unlooked, diagnosis: unlooked.diagnosis }, now);
  assert.deepEqual([baselineUnlooked.status, baselineUnlooked.new, baselineUnlooked.notCheckedBefore.map(c => c.cause)], ['incomplete', [], ['spf.plus-all']]);
  assert.deepEqual(regressions(baselineUnlooked, 'error').map(c => c.cause), ['spf.plus-all']);
  // A baseline without its checks (a trimmed report) is taken as having looked.
  const { checks: _dropped, ...trimmed } = unlooked;
  assert.deepEqual(compareTarget(trimmed, now).new.map(c => c.cause), ['spf.plus-all']);

  // A symptom now folded under a root cause is still there, not resolved.
  const rooted = edit(d => d.filter(e => e.cause !== 'dmarc.policy-none').map(e => (e.cause === 'spf.plus-all' ? { ...e, explains: ['dmarc.policy-none' as const] } : e)));
  assert.deepEqual([compareTarget(now, rooted).status, compareTarget(now, rooted).resolved], ['unchanged', []]);

  assert.deepEqual(regressions(appeared, 'error').map(c => c.cause), ['spf.plus-all']);
  assert.deepEqual(regressions(graded, 'error'), []);
  assert.deepEqual(regressions(graded, 'warning').map(c => [c.cause, c.severity]), [['mx.target-invalid', 'warning']]);
  assert.deepEqual(regressions(fixed, 'info'), []);
});

test('the human and markdown reports say what changed since the baseline', () => {
  const now = fixedReport();
  const changes = compareTarget({ ...now, diagnosis: now.diagnosis.filter(d => d.cause !== 'spf.plus-all') }, now);
  const plain = { color: false, verbose: false, width: 80 };
  assert.match(renderers.human({ ...now, changes }, plain), /^example\.com: PROBLEM.*\nSince the last run: WORSE: new: spf\.plus-all \(error\)\n/);
  assert.match(renderers.markdown({ ...now, changes }, plain), /Since the last run: \*\*WORSE\*\*: new: spf\.plus-all \(error\)/);
});

let sim: SimDnsServer;
const dir = mkdtempSync(join(tmpdir(), 'maildiag-compare-'));
const LIST = ['null.example', 'dangling.example', 'open.example', 'same.example'];

before(async () => {
  const nullMx = { MX: [{ priority: 0, exchange: '' }] };
  sim = await startSimDns({
    'null.example': nullMx,
    'dangling.example': { MX: [{ priority: 10, exchange: 'mx.dangling.example' }] },
    'mx.dangling.example': 'NXDOMAIN',
    'open.example': { ...nullMx, TXT: [['v=spf1 +all']] },
    'same.example': nullMx,
  });
});
after(() => sim.close());

const args = (...more: string[]) => ['--resolver', `127.0.0.1:${sim.port}`, '--checks', 'domain,mx,host-addrs,spf,dmarc', '--timeout', '1000', ...more];

async function audit(list: string[], ...more: string[]) {
  return runMain(['audit', '-', ...args('--format', 'jsonl', ...more)], { stdin: `${list.join('\n')}\n` });
}

function parseLines(stdout: string): { reports: Report[]; comparison?: ReturnType<typeof comparisonSchema.parse>['comparison'] } {
  const values = stdout.trim().split('\n').map(l => JSON.parse(l) as Record<string, unknown>);
  const last = values.at(-1);
  const comparison = last && 'comparison' in last ? comparisonSchema.parse(values.pop()).comparison : undefined;
  return { reports: values.map(v => reportSchema.parse(v)), ...(comparison ? { comparison } : {}) };
}

function writeBaseline(name: string, reports: Report[], extra = ''): string {
  const path = join(dir, name);
  writeFileSync(path, `${reports.map(r => JSON.stringify(r)).join('\n')}\n${extra}`);
  return path;
}

const withDiagnosis = (r: Report, f: (d: Report['diagnosis']) => Report['diagnosis']): Report => ({ ...r, diagnosis: f(r.diagnosis) });

test('audit --compare of two JSONL runs: every kind of change, the summary line, and exit 1 for a regression', async () => {
  const first = await audit(LIST);
  const { reports } = parseLines(first.stdout);
  const by = (name: string) => reports.find(r => r.target === name)!;
  assert.deepEqual(by('open.example').diagnosis.map(d => d.cause), ['mx.null', 'spf.plus-all', 'dmarc.missing']);

  // The earlier run, as it would have been: each target differs in one way.
  const earlier = [
    withDiagnosis(by('null.example'), d => d.filter(e => e.cause !== 'mx.null')), // an error appears
    withDiagnosis(by('dangling.example'), d => d.map(e => (e.cause === 'dmarc.missing' ? { ...e, severity: 'info' } : e))), // info → warning
    withDiagnosis(by('open.example'), d => [...d, { ...d[0]!, cause: 'dmarc.policy-none', title: 'DMARC policy is p=none' }]), // a problem goes away
    by('same.example'),
    { ...by('same.example'), target: 'retired.example', ascii: 'retired.example' }, // no longer in the list
  ];
  // The baseline is itself a compared run that was cut off: its comparison line is skipped, its half line ignored.
  const baseline = writeBaseline('earlier.jsonl', earlier, '{"comparison":{"baseline":"x","worse":0,"better":0,"unchanged":0,"added":0,"removed":[]}}\n{"target":"cut');

  const now = [...LIST, 'new.example'];
  const run = await audit(now, '--compare', baseline);
  assert.match(run.stderr, /1 entry is not a maildiag report and was ignored/);
  const second = parseLines(run.stdout);
  const status = Object.fromEntries(second.reports.map(r => [r.target, r.changes?.status]));
  assert.deepEqual(status, { 'null.example': 'worse', 'dangling.example': 'worse', 'open.example': 'better', 'same.example': 'unchanged', 'new.example': 'added' });
  const changes = (name: string) => second.reports.find(r => r.target === name)!.changes!;
  assert.deepEqual(changes('null.example').new.map(c => [c.cause, c.severity]), [['mx.null', 'error']]);
  assert.deepEqual(changes('dangling.example').changed.map(c => [c.cause, c.from, c.to]), [['dmarc.missing', 'info', 'warning']]);
  assert.deepEqual(changes('open.example').resolved.map(c => c.cause), ['dmarc.policy-none']);
  assert.equal(changes('new.example').previousVerdict, null);
  assert.equal(changes('same.example').previousVerdict, 'error');
  assert.deepEqual(second.comparison, { baseline, worse: 2, better: 1, incomplete: 0, unchanged: 1, added: 1, removed: [{ target: 'retired.example', ascii: 'retired.example', verdict: 'error' }], notChecked: [] });
  assert.equal(run.status, 1, 'an error appeared: a regression');

  const human = await runMain(['audit', '-', ...args('--format', 'human', '--compare', baseline)], { stdin: `${now.join('\n')}\n` });
  assert.match(human.stdout, /Changes since .*earlier\.jsonl: 2 targets got worse, 1 better, 1 unchanged, 1 added, 1 removed/);
  assert.match(human.stdout, /WORSE +null\.example: new: mx\.null \(error\)/);
  assert.match(human.stdout, /removed +retired\.example \(was error\)/);
  assert.match(human.stdout, /Since the last run: better: resolved: dmarc\.policy-none/);
});

test('--compare: the exit status comes from new or worsened causes at --fail-on, not from problems that were already there', async () => {
  const { reports } = parseLines((await audit(LIST)).stdout);
  assert.ok(reports.every(r => r.verdict === 'error'));
  const same = writeBaseline('same.jsonl', reports);
  assert.equal((await audit(LIST)).status, 1, 'without --compare every error counts');
  const unchanged = await audit(LIST, '--compare', same);
  assert.equal(unchanged.status, 0, unchanged.stderr);
  assert.ok(parseLines(unchanged.stdout).reports.every(r => r.changes?.status === 'unchanged'));

  // Only a warning is new: a regression for --fail-on warning, not for the default error.
  const warningNew = writeBaseline('warning.jsonl', reports.map(r => withDiagnosis(r, d => d.filter(e => e.cause !== 'dmarc.missing'))));
  assert.equal((await audit(LIST, '--compare', warningNew)).status, 0);
  assert.equal((await audit(LIST, '--compare', warningNew, '--fail-on', 'warning')).status, 1);
  assert.equal((await audit(LIST, '--compare', warningNew, '--fail-on', 'never')).status, 0);
});

test('a cause whose check did not run this time is not rechecked, not resolved', async () => {
  const { reports } = parseLines((await audit(['open.example'])).stdout);
  const baseline = writeBaseline('open.jsonl', reports);
  const run = await audit(['open.example'], '--compare', baseline, '--skip', 'spf');
  const [report] = parseLines(run.stdout).reports;
  assert.deepEqual([report!.changes!.status, report!.changes!.resolved, report!.changes!.notRechecked.map(c => c.cause)], ['incomplete', [], ['spf.plus-all']]);
  assert.equal(parseLines(run.stdout).comparison!.incomplete, 1);
  assert.equal(run.status, 0, 'not a regression');
  const human = await runMain(['audit', '-', ...args('--format', 'human', '--compare', baseline, '--skip', 'spf')], { stdin: 'open.example\n' });
  assert.match(human.stdout, /1 could not be rechecked in full/);
  assert.match(human.stdout, /not rechecked +open\.example: not rechecked \(the check could not look\): spf\.plus-all/);
});

test('a single target compares with an earlier --json report', async () => {
  const first = await runMain(['open.example', ...args('--json')]);
  const earlier = withDiagnosis(reportSchema.parse(JSON.parse(first.stdout)), d => d.filter(e => e.cause !== 'spf.plus-all'));
  const path = join(dir, 'open.json');
  writeFileSync(path, JSON.stringify(earlier, null, 2));
  const run = await runMain(['open.example', ...args('--json', '--compare', path)]);
  assert.equal(run.status, 1);
  const report = reportSchema.parse(JSON.parse(run.stdout));
  assert.deepEqual([report.changes?.status, report.changes?.new.map(c => c.cause)], ['worse', ['spf.plus-all']]);
  const html = await runMain(['open.example', ...args('--format', 'html', '--compare', path)]);
  assert.match(html.stdout, /<section id="changes"><h2>Changes since open\.json<\/h2><p class="lead">1 target got worse, 0 better, 0 unchanged<\/p>/);
});

test('a --compare file that cannot be read or holds no report is bad input (exit 2, one line)', async () => {
  const missing = await audit(LIST, '--compare', join(dir, 'nope.jsonl'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^maildiag: --compare: cannot read .*nope\.jsonl \(ENOENT\)\n$/);
  writeFileSync(join(dir, 'junk.jsonl'), 'hello\n{"a":1}\n');
  const junk = await audit(LIST, '--compare', join(dir, 'junk.jsonl'));
  assert.equal(junk.status, 2);
  assert.match(junk.stderr, /no maildiag report in it/);
  assert.equal(junk.stdout, '');
});
