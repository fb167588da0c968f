// A check module stands alone: what checks share (probe reading, addresses,
// blocklist findings, the resolver's sanity) lives in shared modules beside
// them, so no check imports another check.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const dir = resolve(process.cwd(), 'src/checks');
const modules = readdirSync(dir).filter(f => f.endsWith('.ts')).map(f => ({ name: f.replace(/\.ts$/, ''), text: readFileSync(resolve(dir, f), 'utf8') }));
const checkModules = new Set(modules.filter(m => m.text.includes('export default defineCheck(')).map(m => m.name));

test('no check module imports another check module', () => {
  assert.ok(checkModules.has('ptr') && checkModules.has('dnsbl'), 'check modules are recognised');
  const borrowed = [...checkModules].flatMap(name => {
    const text = modules.find(m => m.name === name)!.text;
    const imported = [...text.matchAll(/from '\.\/([\w-]+)\.js'/g)].map(m => m[1]!);
    return imported.filter(other => checkModules.has(other)).map(other => `${name} imports ${other}`);
  });
  assert.deepEqual(borrowed, []);
});
