// The HTML report in a real browser: Debian's Chromium, headless, driven by
// playwright-core (never a downloaded browser). The demo world's page must sort
// and filter, log no error and ask nothing of the network; a hostile page's
// markup must stay text. Skips, saying so, where Chromium is not installed.
// MAILDIAG_UPDATE_SCREENSHOT=1 rewrites docs/html-report.png for the README
// (otherwise the screenshot goes to a temporary directory, so a test run
// leaves the worktree clean).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtmlDocument } from '../../src/render/html.js';
import { causes, type CauseId, type Severity } from '../../src/causes.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { hostileReport } from '../helpers/reports.js';
import { ROOT, runMain } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const absent = !existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install chromium): the HTML report was not tried in a browser`;

const dir = mkdtempSync(join(tmpdir(), 'maildiag-html-'));
let browser: Browser;

before(async () => {
  if (!absent) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
after(async () => browser?.close());

interface OpenPage {
  page: Page;
  /** Every resource the page asked for, even one its policy then blocked. */
  requests: string[];
  /** What reached the network stack (then aborted here): nothing may. */
  sent: string[];
  /** Console errors, page errors and dialogs. */
  errors: string[];
}

/** The page opened from disk, with what it asks of the network and every error recorded. */
async function open(html: string, name: string): Promise<OpenPage> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport: { width: 1000, height: 1300 } });
  const opened: OpenPage = { page, requests: [], sent: [], errors: [] };
  page.on('request', request => void (request.url() !== url && opened.requests.push(request.url())));
  page.on('console', message => void (message.type() === 'error' && opened.errors.push(message.text())));
  page.on('pageerror', error => void opened.errors.push(error.message));
  page.on('dialog', dialog => void opened.errors.push(`dialog: ${dialog.message()}`));
  await page.route('**/*', route => {
    if (route.request().url() === url) return route.continue();
    opened.sent.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return opened;
}

/** The demo world's reports as a baseline that differs from today in every way a target can change. */
function demoBaseline(jsonl: string): string {
  const reports = jsonl.trim().split('\n').map(line => reportSchema.parse(JSON.parse(line)));
  const by = (name: string) => reports.find(r => r.target === name)!;
  const extra = (r: Report, cause: CauseId, severity: Severity) => ({ ...r, diagnosis: [...r.diagnosis, { ...r.diagnosis[0]!, cause, severity, title: causes[cause].title }] });
  const baseline = [
    by('healthy.example'),
    { ...by('healthy.example'), target: 'retired.example', ascii: 'retired.example' }, // removed from the list since
    { ...by('shop.example'), diagnosis: by('shop.example').diagnosis.filter(d => d.cause !== 'rbl.listed') }, // listed since: worse
    { ...by('relay.example'), diagnosis: by('relay.example').diagnosis.map(d => ({ ...d, severity: 'warning' as const })) }, // graded up: worse
    extra(by('school.example'), 'dkim.key-weak', 'warning'), // fixed since: better
    extra(by('office.example'), 'tls.cert-expired', 'warning'), // its server is down now: the certificate could not be rechecked
  ]; // moved.example is new
  const file = join(dir, 'baseline.jsonl');
  writeFileSync(file, baseline.map(r => JSON.stringify(r)).join('\n'));
  return file;
}

const visibleTargets = (page: Page) => page.$$eval('#targets-table tbody tr:not([hidden]) td:first-child', cells => cells.map(c => c.textContent ?? ''));

test('the demo world\'s HTML report, compared with a baseline: changes first, sorts, filters, logs no error and fetches nothing', { skip: absent }, async () => {
  const earlier = await runMain(['demo', '--format', 'jsonl']);
  assert.equal(earlier.status, 0, earlier.stderr);
  const demo = await runMain(['demo', '--format', 'html', '--compare', demoBaseline(earlier.stdout)]);
  assert.equal(demo.status, 0, demo.stderr);
  const { page, requests, sent, errors } = await open(demo.stdout, 'demo.html');
  assert.equal(await page.locator('main > section').first().getAttribute('id'), 'changes');
  assert.match((await page.textContent('#changes .lead')) ?? '', /^2 targets got worse, 1 better, 1 unchanged, 1 could not be rechecked in full, 1 added, 1 removed$/);
  const changes = await page.$$eval('#changes tbody tr', rows => rows.map(r => [...(r as HTMLTableRowElement).cells].slice(0, 2).map(c => c.textContent)));
  assert.deepEqual(changes, [['relay.example', 'WORSE'], ['shop.example', 'WORSE'], ['office.example', 'not rechecked'], ['moved.example', 'new target'], ['school.example', 'better'], ['retired.example', 'removed']]);

  const listed = await visibleTargets(page);
  assert.equal(listed.length, 6);
  assert.equal(await page.textContent('#shown'), '6 of 6 targets shown');

  await page.click('#targets-table th:nth-child(1) button');
  assert.deepEqual(await visibleTargets(page), [...listed].sort());
  assert.equal(await page.getAttribute('#targets-table th:nth-child(1)', 'aria-sort'), 'ascending');
  await page.click('#targets-table th:nth-child(1) button');
  assert.deepEqual(await visibleTargets(page), [...listed].sort().reverse());
  // Verdict sorts by severity, not alphabetically: the healthy domain comes last.
  await page.click('#targets-table th:nth-child(2) button');
  assert.equal((await visibleTargets(page)).at(-1), 'healthy.example');
  // Change sorts what needs attention first.
  await page.click('#targets-table th:nth-child(6) button');
  assert.deepEqual((await visibleTargets(page)).slice(0, 3).sort(), ['office.example', 'relay.example', 'shop.example']);

  await page.fill('#filter', 'blocklist');
  assert.deepEqual(await visibleTargets(page), ['shop.example']);
  assert.equal(await page.textContent('#shown'), '1 of 6 targets shown');
  await page.fill('#filter', '');
  await page.selectOption('#verdict-filter', 'ok');
  assert.deepEqual(await visibleTargets(page), ['healthy.example']);
  await page.selectOption('#verdict-filter', '');

  // A target's link leads to its diagnosis; evidence opens on demand.
  await page.click('#targets-table a[href]:text("shop.example")');
  const article = page.locator(`article:has(h3:text-is("shop.example"))`);
  assert.equal(await article.locator('details').first().getAttribute('open'), null);
  await article.locator('summary').first().click();
  assert.equal(await article.locator('details').first().getAttribute('open'), '');

  const shot = process.env['MAILDIAG_UPDATE_SCREENSHOT'] === '1' ? join(ROOT, 'docs/html-report.png') : join(dir, 'html-report.png');
  await page.click('#targets-table th:nth-child(1) button');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot });
  assert.ok(existsSync(shot));
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, []);
  assert.deepEqual(sent, []);
});

test('markup from a hostile server stays text in the browser: no script runs, no request, no error', { skip: absent }, async () => {
  const html = renderHtmlDocument({ reports: [hostileReport(), hostileReport('example.net')] });
  const { page, requests, sent, errors } = await open(html, 'hostile.html');
  assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  assert.equal(await page.locator('img').count(), 0);
  assert.equal(await page.locator('script').count(), 1);
  assert.match((await page.textContent('article')) ?? '', /<script>window\.pwned = 1<\/script>/);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, []);

  // Were an escape ever missed, the page's policy would still refuse the fetch, and say so on the console.
  const refused = page.waitForEvent('requestfailed');
  const complained = page.waitForEvent('console', { predicate: message => message.type() === 'error' });
  await page.evaluate(() => {
    const image = document.createElement('img');
    image.src = 'http://192.0.2.1/track.png';
    document.body.append(image);
  });
  assert.equal((await refused).failure()?.errorText, 'csp');
  await complained;
  assert.deepEqual(requests, ['http://192.0.2.1/track.png']);
  assert.deepEqual(sent, []);
  assert.match(errors.join('\n'), /violates the following Content Security Policy directive: "img-src data:"/);
});
