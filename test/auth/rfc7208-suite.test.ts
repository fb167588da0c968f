// RFC 7208's own test suite (the openspf.org/pyspf YAML, ../shared/suites):
// every scenario served by an in-process DNS server, every test evaluated by
// evaluateSpf() with its IP, MAIL FROM and HELO. Skipped, saying so, when
// ../shared is not there (a checkout of this repository alone).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { evaluateSpf } from '../../src/auth/spf-eval.js';
import { createDnsClient } from '../../src/net/dns/index.js';
import { startSimDns, type SimDnsServer, type SimRecordSet, type SimZone } from '../../src/sim/dns-server.js';
import { ROOT } from '../helpers/cli.js';

const SUITE = `${ROOT}../shared/suites/rfc7208-tests.yml`;

interface SuiteTest {
  host: string;
  mailfrom: string;
  helo: string;
  result: string | string[];
  explanation?: string;
}

interface Scenario {
  description: string;
  tests: Record<string, SuiteTest>;
  zonedata: Record<string, ZoneEntry[]>;
}

type ZoneEntry = 'TIMEOUT' | { [type: string]: unknown };

/**
 * The suite's zone data as the sim server's table, by the convention of
 * pyspf's driver: a SPF entry also stands for a TXT record unless the name
 * has TXT entries of its own ("TXT: NONE" means none at all); TIMEOUT makes
 * the name fail, unless it holds records (then only the type SPF, which
 * nobody asks for any more, was meant to time out). The failure is served as
 * SERVFAIL, which check_host() meets on the same path as a timeout (RFC 7208
 * §2.6.6: temperror), so a loaded machine needs no short timeout to finish.
 */
function simZone(zonedata: Scenario['zonedata']): SimZone {
  const zone: SimZone = {};
  for (const [name, entries] of Object.entries(zonedata)) {
    const set: SimRecordSet = {};
    const spf: string[][] = [];
    const txt: string[][] = [];
    let hasTxt = false;
    for (const entry of entries) {
      if (entry === 'TIMEOUT') continue;
      const [type, value] = Object.entries(entry)[0]!;
      const text = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);
      switch (type) {
        case 'SPF':
          spf.push(text(value));
          break;
        case 'TXT':
          hasTxt = true;
          if (value !== 'NONE') txt.push(text(value));
          break;
        case 'MX': {
          const [priority, exchange] = value as [number, string];
          (set.MX ??= []).push({ priority, exchange });
          break;
        }
        case 'CNAME':
          set.CNAME = String(value);
          break;
        case 'A':
        case 'AAAA':
        case 'PTR':
          (set[type] ??= []).push(String(value));
          break;
        default:
          throw new Error(`${name}: record type ${type} is not served by this driver`);
      }
    }
    const records = hasTxt ? txt : spf;
    if (records.length) set.TXT = records;
    zone[name] = entries.includes('TIMEOUT') && !Object.keys(set).length ? 'SERVFAIL' : set;
  }
  return zone;
}

/**
 * Tests where maildiag's answer differs from the suite's, each with the RFC
 * text that justifies it. (Empty: every test passes.)
 */
const EXCEPTIONS: Record<string, string> = {};

const scenarios: Scenario[] = existsSync(SUITE) ? parseAllDocuments(readFileSync(SUITE, 'utf8')).map(d => d.toJS() as Scenario) : [];
const servers: SimDnsServer[] = [];
after(() => Promise.all(servers.map(s => s.close())));

if (!scenarios.length) test('RFC 7208 test suite', { skip: `${SUITE} is not there (it ships in ../shared/suites)` }, () => undefined);

for (const scenario of scenarios) {
  describe(`RFC 7208 suite: ${scenario.description}`, () => {
    let sim: SimDnsServer | undefined;
    const server = async () => {
      if (!sim) servers.push((sim = await startSimDns(simZone(scenario.zonedata))));
      return sim.server;
    };
    for (const [name, spec] of Object.entries(scenario.tests)) {
      test(name, { ...(EXCEPTIONS[name] ? { todo: EXCEPTIONS[name] } : {}) }, async () => {
        // A fresh client per test: no answer cached from another test's question.
        const dns = createDnsClient({ servers: [await server()], timeoutMs: 2000, retries: 1 });
        const evaluation = await evaluateSpf({ ip: spec.host, mailFrom: spec.mailfrom, helo: spec.helo }, dns);
        const expected = [spec.result].flat();
        assert.ok(expected.includes(evaluation.result), `expected ${expected.join(' or ')}, got ${evaluation.result}: ${evaluation.reason}`);
        if (spec.explanation === undefined || evaluation.result !== 'fail') return;
        // "DEFAULT" is the driver's own explanation: the record gives none. The suite writes
        // ip6.arpa nibbles in upper case; names compare without case (RFC 4343).
        if (spec.explanation === 'DEFAULT') assert.equal(evaluation.explanation, undefined);
        else assert.equal(evaluation.explanation?.toLowerCase(), spec.explanation.toLowerCase());
      });
    }
  });
}
