// Renders docs/causes.md from the cause registry (src/causes.ts) and
// docs/report.schema.json, docs/comparison.schema.json and
// docs/explain.schema.json from the zod schemas of the JSON outputs (src/report/),
// and the timing section of docs/probes.md (scripts/timing-doc.ts).
// Run after building: `node dist/scripts/gen-docs.js` (npm run docs).
// A test checks that the committed file equals renderCausesMarkdown().

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { causeIds, causes, PLACEHOLDER, type CauseDef, type CauseId } from '../src/causes.js';
import { comparisonSchema, findingSchema, findingWordsSchema, reportSchema } from '../src/report/schema.js';
import { explainReportSchema } from '../src/report/explain-schema.js';
import { withTiming } from './timing-doc.js';

const INTRO = `# Cause vocabulary

Every problem maildiag reports carries a cause id, \`area.problem\`, in the JSON
report (\`diagnosis[].cause\`, \`checks[].findings[].cause\`) and in
\`maildiag explain\`. Ids are stable: once shipped, an id is never renamed or
reused, so scripts and CI pipelines can match on them; new ids may be added.

Each id has a default severity (\`error\`: mail cannot be delivered or the setup
is dangerous; \`warning\`: delivered but at risk; \`info\`: worth knowing) and the
side the fix is on: \`recipient\` (the domain receiving mail), \`sender\` (the
host or domain sending it), \`network\` (something in between, such as an ISP or
firewall) or \`local\` (the machine running maildiag). \`maildiag causes <id>\`
shows one entry in the terminal.

A finding in the JSON report also carries a \`messageId\`, one of its cause's
messages listed below, and \`data\`: the message is the template with
\`{field}\` replaced by \`data.field\`, and \`{field|format}\` said through one of
the [formats](#message-formats) at the end. Scripts read \`data\`, never the
English; docs/report.schema.json lists the fields of each message.

This file is generated from src/causes.ts by \`npm run docs\`; do not edit it by hand.
`;

/** Placeholders such as _dmarc.<domain> would be read as HTML: show them as code. */
function inline(text: string): string {
  return text.replace(/[^\s"(]*<[a-z-]+>[^\s"),;]*/g, (token) => {
    const m = /^(.*?)([.:]*)$/.exec(token);
    const body = m?.[1] ?? token;
    const tail = m?.[2] ?? '';
    return `\`${body}\`${tail}`;
  });
}

/** 'RFC 7208 §4.6.4' → a link to that section on rfc-editor.org. */
function refLink(ref: string): string {
  const m = /^RFC (\d+)(?: §([\d.]+))?$/.exec(ref);
  if (!m) return ref;
  const url = `https://www.rfc-editor.org/rfc/rfc${m[1]}${m[2] ? `#section-${m[2]}` : ''}`;
  return `[${ref}](${url})`;
}

function renderCause(id: string, def: CauseDef): string {
  const lines = [
    `### \`${id}\``,
    '',
    `**${inline(def.title)}**`,
    '',
    `Severity: ${def.severity} · Side: ${def.side}`,
    '',
    inline(def.explanation),
    '',
    `Fix: ${inline(def.fix)}`,
  ];
  const fixes = Object.entries(def.fixes ?? {});
  if (fixes.length > 0) lines.push('', 'Fix for a particular case (a finding whose `messageId` names the case, or a bounce that shows it):', '', ...fixes.map(([name, fix]) => `- \`${name}\`: ${inline(fix)}`));
  if (def.refs && def.refs.length > 0) lines.push('', `References: ${def.refs.map(refLink).join(', ')}`);
  const messages = Object.entries(def.messages ?? {});
  if (messages.length > 0) lines.push('', 'Messages (`messageId`: text, with `{data}` fields):', '', ...messages.map(([messageId, template]) => `- \`${messageId}\`: ${inline(template).replace(PLACEHOLDER, '`$&`')}`));
  return lines.join('\n');
}

/** The FORMATS of src/causes.ts with their doc comments, read from the source (the comments are the documentation). */
function renderFormats(): string {
  const source = readFileSync(fileURLToPath(new URL('../../src/causes.ts', import.meta.url)), 'utf8');
  const block = source.slice(source.indexOf('const FORMATS = {'), source.indexOf('} satisfies Record<string, { takes'));
  const rows = [...block.matchAll(/\/\*\*([^]*?)\*\/\s*\n {2}(\w+): \{\s*takes: '(\w+)'/g)].map(([, comment, name, takes]) => {
    const says = comment!.split('\n').map(line => line.replace(/^\s*\*?\s?/, '').trim()).filter(Boolean).join(' ');
    return `| \`${name}\` | ${takes} | ${says.replace(/\|/g, '\\|')} |`;
  });
  return ['## Message formats', '', 'How `{field|format}` says a value, and the JSON type `data.field` has.', '', '| format | takes | says |', '| --- | --- | --- |', ...rows].join('\n');
}

export function renderCausesMarkdown(): string {
  const areas = new Map<string, CauseId[]>();
  for (const id of causeIds) {
    const area = id.slice(0, id.indexOf('.'));
    const ids = areas.get(area) ?? [];
    ids.push(id);
    areas.set(area, ids);
  }
  const sections = [...areas].map(([area, ids]) =>
    [`## ${area}`, ...ids.map((id) => renderCause(id, causes[id]))].join('\n\n'),
  );
  return `${[INTRO.trimEnd(), ...sections, renderFormats()].join('\n\n')}\n`;
}

/** The JSON Schema of one report, for users who validate --json output without our code. */
export function renderReportSchema(): string {
  // A finding's data fields depend on its cause and messageId: the schema lists them per message.
  const words = z.toJSONSchema(findingWordsSchema);
  const schema = z.toJSONSchema(reportSchema, {
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === findingSchema) jsonSchema.allOf = [{ anyOf: words.anyOf }];
    },
  });
  return `${JSON.stringify({ title: 'maildiag report', ...schema }, null, 2)}\n`;
}

/** The JSON Schema of the comparison line that `audit --compare` writes after the reports. */
export function renderComparisonSchema(): string {
  return `${JSON.stringify({ title: 'maildiag comparison with a baseline run', ...z.toJSONSchema(comparisonSchema) }, null, 2)}\n`;
}

/** The JSON Schema of `maildiag explain --json` output. */
export function renderExplainSchema(): string {
  return `${JSON.stringify({ title: 'maildiag explain report', ...z.toJSONSchema(explainReportSchema) }, null, 2)}\n`;
}

function main(): void {
  const out = fileURLToPath(new URL('../../docs/causes.md', import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, renderCausesMarkdown());
  console.log(`wrote ${out} (${causeIds.length} causes)`);
  for (const [name, render] of [['report.schema.json', renderReportSchema], ['comparison.schema.json', renderComparisonSchema], ['explain.schema.json', renderExplainSchema]] as const) {
    const schema = fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
    writeFileSync(schema, render());
    console.log(`wrote ${schema}`);
  }
  const probes = fileURLToPath(new URL('../../docs/probes.md', import.meta.url));
  writeFileSync(probes, withTiming(readFileSync(probes, 'utf8')));
  console.log(`wrote ${probes} (timing)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
