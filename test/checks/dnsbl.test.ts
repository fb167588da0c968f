// The dnsbl and dnsbl-domain checks on simulated worlds: the sim resolver
// serves the list zones, so unlisted names are NXDOMAIN as on the real lists.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSimDns, type SimZone, type SimDnsServer } from '../../src/sim/dns-server.js';
import { testNet } from '../helpers/net.js';
import { diagnose } from '../../src/diagnose.js';
import { parseTarget } from '../../src/cli/targets.js';
import { defaultRunOptions, type RunOptions } from '../../src/pipeline/options.js';
import type { Report } from '../../src/report/schema.js';
import { formatMessage } from '../../src/causes.js';

const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

const TIMEOUT_MS = 1000;

async function diagnoseIn(zone: SimZone, target: string, options: Partial<RunOptions> = {}, only = ['dnsbl', 'dnsbl-domain']) {
  const sim = await startSimDns({ '.': { NS: ['a.root.example'] }, ...zone });
  servers.push(sim);
  const net = testNet(TIMEOUT_MS, [sim.server]);
  const report = await diagnose(parseTarget(target), defaultRunOptions({ allowPrivate: true, ...options }), net, { only });
  return { report, log: sim.log };
}

const findingsOf = (report: Report) => report.checks.flatMap(c => c.findings);
const causesOf = (report: Report) => findingsOf(report).map(f => f.cause);
const resultsOf = (report: Report, check = 'dnsbl') => report.checks.find(c => c.id === check)!.data['results'] as Record<string, unknown>[];

const ZEN = '99.2.0.192.zen.spamhaus.org';

test('rbl.listed on an IP target: the list, the code\'s meaning, the TXT reason and the evidence', async () => {
  const { report } = await diagnoseIn({
    [ZEN]: { A: ['127.0.0.2'], TXT: [['Listed in SBL, see https://lookup.example/', '?ip=192.0.2.99']] },
  }, '192.0.2.99');
  assert.deepEqual(causesOf(report), ['rbl.listed']);
  assert.equal(report.diagnosis[0]?.severity, 'error');
  const [f] = findingsOf(report);
  assert.deepEqual(f!.subjects, ['192.0.2.99']);
  assert.equal(f!.side, 'sender');
  assert.deepEqual(f!.evidence, [`${ZEN} A 127.0.0.2`, `${ZEN} TXT "Listed in SBL, see https://lookup.example/" "?ip=192.0.2.99"`]);
  assert.equal(f!.messageId, 'listedWithReason');
  assert.deepEqual(f!.data, {
    list: 'zen.spamhaus.org',
    subject: '192.0.2.99',
    query: ZEN,
    status: 'listed',
    path: 'resolver',
    codes: [{ address: '127.0.0.2', meaning: 'SBL: Spamhaus Block List, a known spam source or spam operation' }],
    reason: 'Listed in SBL, see https://lookup.example/?ip=192.0.2.99',
    lookup: 'https://check.spamhaus.org/',
    who: { ip: '192.0.2.99', role: 'target' },
    listName: 'Spamhaus ZEN',
  });
  const clean = resultsOf(report).filter(r => r['status'] === 'clean').map(r => r['list']);
  assert.deepEqual(clean, ['bl.spamcop.net', 'b.barracudacentral.org', 'psbl.surriel.com', 'bl.mailspike.net', 'dnsbl-1.uceprotect.net']);
});

test('several return codes at once are all named', async () => {
  const { report } = await diagnoseIn({ [ZEN]: { A: ['127.0.0.4', '127.0.0.10'] } }, '192.0.2.99');
  const codes = (findingsOf(report)[0]!.data as { codes: { address: string }[] }).codes.map(c => c.address);
  assert.deepEqual(codes, ['127.0.0.4', '127.0.0.10']);
});

test('a refusal code is rbl.query-refused, never rbl.listed', async () => {
  const { report } = await diagnoseIn({ [ZEN]: { A: ['127.255.255.254'] } }, '192.0.2.99');
  assert.deepEqual(causesOf(report), ['rbl.query-refused']);
  const [f] = findingsOf(report);
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.side, 'local');
  assert.equal(f!.messageId, 'refused');
  const data = f!.data as { results: { status: string; codes: { address: string }[] }[]; asked: unknown[]; reasons: unknown[] };
  assert.equal(data.results[0]!.status, 'refused');
  assert.equal(data.results[0]!.codes[0]!.address, '127.255.255.254');
  assert.deepEqual(data.asked, [{ ip: '192.0.2.99', role: 'target' }]);
  // The sim world has no NS records for the list, so the direct path is not available.
  assert.deepEqual(data.reasons, [{
    why: { code: 'refusal', address: '127.255.255.254', meaning: 'query via a public or open resolver, which Spamhaus does not answer' },
    direct: { code: 'noServers' },
  }]);
});

test('a list that does not answer is rbl.unknown (info), not clean', async () => {
  const { report } = await diagnoseIn({ '99.2.0.192.bl.spamcop.net': 'DROP' }, '192.0.2.99');
  assert.deepEqual(causesOf(report), ['rbl.unknown']);
  const [f] = findingsOf(report);
  assert.equal(f!.severity, 'info');
  assert.equal(f!.messageId, 'noUsableAnswer');
  assert.deepEqual(f!.data!['reasons'], [{ why: { code: 'timeout' } }]);
  assert.equal((f!.data as { list: string }).list, 'bl.spamcop.net');
  assert.equal(resultsOf(report).find(r => r['list'] === 'bl.spamcop.net')!['status'], 'unknown');
});

test('an answer outside 127.0.0.0/8 (a resolver rewriting NXDOMAIN) is unknown, not listed', async () => {
  const { report } = await diagnoseIn({ '99.2.0.192.psbl.surriel.com': { A: ['198.51.100.80'] } }, '192.0.2.99');
  assert.deepEqual(causesOf(report), ['rbl.unknown']);
  const why = { code: 'unexpected', list: 'Passive Spam Block List (PSBL)', answers: [{ address: '198.51.100.80', unread: 'outsideLoopback' }] };
  assert.deepEqual(findingsOf(report)[0]!.data!['reasons'], [{ why }]);
});

test('a list that also lists 127.0.0.1 (RFC 5782 §5) lists everything: unknown, not listed', async () => {
  const { report } = await diagnoseIn({
    '99.2.0.192.psbl.surriel.com': { A: ['127.0.0.2'] },
    '1.0.0.127.psbl.surriel.com': { A: ['127.0.0.2'] },
  }, '192.0.2.99');
  assert.deepEqual(causesOf(report), ['rbl.unknown']);
  assert.deepEqual(findingsOf(report)[0]!.data!['reasons'], [{ why: { code: 'listsEverything', testName: '1.0.0.127.psbl.surriel.com' } }]);
});

test('MX addresses: one finding per listed address, on the recipient side, naming the host', async () => {
  const { report } = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'mx1.example.com' }, { priority: 20, exchange: 'mx2.example.com' }] },
    'mx1.example.com': { A: ['192.0.2.10'] },
    'mx2.example.com': { A: ['192.0.2.20'] },
    '10.2.0.192.bl.spamcop.net': { A: ['127.0.0.2'] },
    '20.2.0.192.bl.spamcop.net': { A: ['127.0.0.2'] },
  }, 'example.com');
  const listed = findingsOf(report).filter(f => f.cause === 'rbl.listed');
  assert.deepEqual(listed.map(f => f.subjects), [['192.0.2.10', 'mx1.example.com'], ['192.0.2.20', 'mx2.example.com']]);
  assert.ok(listed.every(f => f.side === 'recipient'));
});

// Spamhaus PBL (ZEN 127.0.0.10/11) names end-user ranges, and receivers ask it about clients that connect to send.
test('a policy listing of an inbound MX is info: it stops nobody delivering to it, and its fix says so', async () => {
  const { report } = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'mx1.example.com' }] },
    'mx1.example.com': { A: ['192.0.2.10'] },
    '10.2.0.192.zen.spamhaus.org': { A: ['127.0.0.11'], TXT: [['https://check.spamhaus.org/query/ip/192.0.2.10']] },
  }, 'example.com');
  const [f] = findingsOf(report);
  assert.deepEqual([f!.cause, f!.messageId, f!.severity, f!.side], ['rbl.listed', 'policyListedInbound', 'info', 'recipient']);
  assert.deepEqual(f!.data!['listing'], { reason: 'https://check.spamhaus.org/query/ip/192.0.2.10', direct: false });
  assert.match(f!.message, /^MX host mx1\.example\.com \(192\.0\.2\.10\) is on Spamhaus ZEN \(zen\.spamhaus\.org\) by policy only: 127\.0\.0\.11 \(PBL: .*\); the list says: "https:\/\/check\.spamhaus\.org\/query\/ip\/192\.0\.2\.10"\. That does not stop anyone delivering to it/);
  const [entry] = report.diagnosis;
  assert.equal(entry!.severity, 'info');
  assert.match(entry!.fix, /^Nothing to fix for mail to the domain/);
  assert.doesNotMatch(entry!.fix, /infected machine/);
});

test('a PBL code beside an SBL code is a reputation listing; an MX on each keeps both fixes, the spam one first', async () => {
  const { report } = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'mx1.example.com' }, { priority: 20, exchange: 'mx2.example.com' }] },
    'mx1.example.com': { A: ['192.0.2.10'] },
    'mx2.example.com': { A: ['192.0.2.20'] },
    '10.2.0.192.zen.spamhaus.org': { A: ['127.0.0.10'] },
    '20.2.0.192.zen.spamhaus.org': { A: ['127.0.0.2', '127.0.0.10'] },
  }, 'example.com');
  assert.deepEqual(findingsOf(report).map(f => [f.messageId, f.severity]), [['policyListedInbound', 'info'], ['listed', 'error']]);
  const [entry] = report.diagnosis;
  assert.equal(entry!.severity, 'error');
  assert.match(entry!.fix, /^Find and stop the cause first .* Nothing to fix for mail to the domain/);
});

test('a policy listing of an IP target is a warning with the relay fix; one answered directly says so', async () => {
  const { report } = await diagnoseIn({ [ZEN]: { A: ['127.0.0.10'] } }, '192.0.2.99');
  const [f] = findingsOf(report);
  assert.deepEqual([f!.messageId, f!.severity, f!.side], ['policyListed', 'warning', 'sender']);
  assert.equal(f!.message, '192.0.2.99 is on Spamhaus ZEN (zen.spamhaus.org) by policy, not for mail it sent: 127.0.0.10 (PBL: the ISP says this address should not send mail directly to the internet). Receivers that use the list refuse mail this address delivers itself to their MX hosts');
  assert.match(report.diagnosis[0]!.fix, /^This is a policy listing, not a spam verdict: .*relay \(smarthost\).*port 587.*static address/);
  const direct = formatMessage('rbl.listed', 'policyListed', { ...f!.data!, listing: { reason: 'see https://check.spamhaus.org/', direct: true } });
  assert.match(direct, /internet\); the list says: "see https:\/\/check\.spamhaus\.org\/" \(answered by the list's own name servers after the resolver was refused\)\. Receivers/);
});

test('--dnsbl pbl.spamhaus.org reads the PBL zone\'s own codes as a policy listing', async () => {
  const { report } = await diagnoseIn({ '99.2.0.192.pbl.spamhaus.org': { A: ['127.0.0.11'] } }, '192.0.2.99', { dnsbl: ['pbl.spamhaus.org'] });
  const [f] = findingsOf(report);
  assert.deepEqual([f!.cause, f!.messageId, f!.data!['listName']], ['rbl.listed', 'policyListed', 'Spamhaus PBL']);
});

test('rbl.query-refused is one finding per list, naming every address refused', async () => {
  const { report } = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'mx1.example.com' }, { priority: 20, exchange: 'mx2.example.com' }] },
    'mx1.example.com': { A: ['192.0.2.10'] },
    'mx2.example.com': { A: ['192.0.2.20'] },
    '10.2.0.192.zen.spamhaus.org': { A: ['127.255.255.255'] },
    '20.2.0.192.zen.spamhaus.org': { A: ['127.255.255.255'] },
  }, 'example.com');
  const refused = findingsOf(report).filter(f => f.cause === 'rbl.query-refused');
  assert.equal(refused.length, 1);
  assert.deepEqual(refused[0]!.subjects, ['192.0.2.10', 'mx1.example.com', '192.0.2.20', 'mx2.example.com']);
  assert.deepEqual(refused[0]!.data!['asked'], [{ ip: '192.0.2.10', role: 'mx', host: 'mx1.example.com' }, { ip: '192.0.2.20', role: 'mx', host: 'mx2.example.com' }]);
  assert.equal((refused[0]!.data!['reasons'] as unknown[]).length, 1, 'the same reason for both addresses is said once');
});

test('an IPv6 address is asked in nibble format (RFC 5782 §2.4)', async () => {
  const { log } = await diagnoseIn({}, '2001:db8::5', { dnsbl: ['zen.spamhaus.org'] });
  assert.ok(log.includes('5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org A'));
});

test('rbl.domain-listed for the domain on the DBL, with the code\'s meaning', async () => {
  const { report } = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] },
    'mx.example.com': { A: ['192.0.2.10'] },
    'example.com.dbl.spamhaus.org': { A: ['127.0.1.2'], TXT: [['Listed in DBL']] },
  }, 'example.com');
  assert.deepEqual(causesOf(report), ['rbl.domain-listed']);
  const [f] = findingsOf(report);
  assert.deepEqual(f!.subjects, ['example.com']);
  assert.equal((f!.data as { codes: { meaning: string }[] }).codes[0]!.meaning, 'spam domain (low reputation)');
  assert.deepEqual([f!.messageId, f!.data!['who']], ['listedWithReason', { name: 'example.com', role: 'domain' }]);
  const asked = resultsOf(report, 'dnsbl-domain').map(r => r['query']);
  assert.ok(asked.includes('mx.example.com.dbl.spamhaus.org'));
});

test('domain lists: SURBL bits are decoded, URIBL\'s 127.0.0.1 is a refusal', async () => {
  const { report } = await diagnoseIn({
    'example.com': { MX: [{ priority: 0, exchange: '' }] },
    'example.com.multi.surbl.org': { A: ['127.0.0.24'] },
    'example.com.multi.uribl.com': { A: ['127.0.0.1'] },
  }, 'example.com', {}, ['dnsbl-domain']);
  assert.deepEqual(causesOf(report).sort(), ['rbl.domain-listed', 'rbl.query-refused']);
  const listed = findingsOf(report).find(f => f.cause === 'rbl.domain-listed')!;
  assert.equal((listed.data as { codes: { meaning: string }[] }).codes[0]!.meaning, 'phishing (PH) + malware (MW)');
});

test('a zone given with --dnsbl and no code table: any 127.0.0.x is listed, and the finding says why', async () => {
  const { report, log } = await diagnoseIn({ '99.2.0.192.bl.example.net': { A: ['127.0.0.3'] } }, '192.0.2.99', { dnsbl: ['bl.example.net'] });
  assert.deepEqual(causesOf(report), ['rbl.listed']);
  assert.deepEqual(findingsOf(report)[0]!.data!['codes'], [{ address: '127.0.0.3', unread: 'noTable' }]);
  assert.ok(!log.some(q => q.includes('zen.spamhaus.org')), 'only the given zone is asked');
});

test('--no-dnsbl: no list is asked', async () => {
  const { report, log } = await diagnoseIn({
    'example.com': { MX: [{ priority: 10, exchange: 'mx.example.com' }] },
    'mx.example.com': { A: ['192.0.2.10'] },
  }, 'example.com', { dnsbl: [] });
  assert.deepEqual(causesOf(report), []);
  assert.ok(!log.some(q => /spamhaus|spamcop|surbl|uribl/.test(q)));
  assert.match(String(report.checks.find(c => c.id === 'dnsbl')!.data['reason']), /--no-dnsbl/);
});

test('the words of blocklist findings: a direct answer, a refusal the list\'s own servers repeat or change, names on domain lists', () => {
  const zen = { listName: 'Spamhaus ZEN', list: 'zen.spamhaus.org' };
  const mx = { ip: '192.0.2.10', role: 'mx', host: 'mx.example.com' } as const;
  const codes = [{ address: '127.0.0.2', meaning: 'SBL' }, { address: '127.0.0.3', unread: 'noTable' as const }];
  assert.equal(
    formatMessage('rbl.listed', 'listedDirectlyWithReason', { ...zen, who: mx, codes, reason: 'see https://lookup.example/' }),
    'MX host mx.example.com (192.0.2.10) is listed on Spamhaus ZEN (zen.spamhaus.org): 127.0.0.2 (SBL), 127.0.0.3 (listed (maildiag has no return-code table for this list: every 127.0.0.x answer counts as listed)); '
      + 'the list says: "see https://lookup.example/" (answered by the list\'s own name servers after the resolver was refused)',
  );
  const refusal = { code: 'refusal', address: '127.255.255.255', meaning: 'excessive number of queries from this resolver' } as const;
  const reasons = [
    { why: refusal, direct: { code: 'refused', why: { code: 'unexpected', list: 'Spamhaus ZEN', answers: [{ address: '127.0.0.99', unread: 'undocumented' }] } } },
    { why: refusal, direct: { code: 'unusable', why: { code: 'noUsableAnswer', answer: 'servfail' } } },
  ] as const;
  assert.equal(
    formatMessage('rbl.query-refused', 'refused', { ...zen, asked: [mx, { ip: '192.0.2.1', role: 'target' }], reasons }),
    'Spamhaus ZEN (zen.spamhaus.org) refused to answer for MX host mx.example.com (192.0.2.10), 192.0.2.1: '
      + 'it answered 127.255.255.255 (excessive number of queries from this resolver); asked directly, the list\'s own name servers gave no result either: it answered 127.0.0.99 (a return code Spamhaus ZEN does not document); '
      + 'it answered 127.255.255.255 (excessive number of queries from this resolver); asking the list\'s own name servers directly gave no usable answer (no usable answer (servfail)). Whether it is listed there is unknown',
  );
  assert.equal(
    formatMessage('rbl.unknown', 'noUsableAnswer', { listName: 'SURBL multi', list: 'multi.surbl.org', asked: [{ name: 'example.com', role: 'domain' }, { name: 'mx.example.com', role: 'mx' }], reasons: [{ why: { code: 'referral' } }] }),
    'SURBL multi (multi.surbl.org) gave no usable answer for example.com, MX host name mx.example.com: an empty answer or a referral, not a result. Whether it is listed there is unknown',
  );
});
