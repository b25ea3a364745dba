#!/usr/bin/env node
// The zod differential test: the library's strict verdict must equal zod's on every body (with
// the deviations contract.md documents, see judge.mjs), the values it reads must equal zod's
// output, and lenient must accept every body strict accepts. Bodies: every fixture of the model's table under tests/data/, and generated
// mutations of its valid fixtures (mutate.mjs), from a fixed seed.
//
//   node differential.mjs --verdicts <path of the zod_verdicts program> [--data tests/data]
//                         [--seed 1] [--combinations 3000] [--show 10] [--model crmEngagement]
//
// Exit status: 0 agreed, 1 disagreed, 77 skipped (zod not installed: run `npm ci` here).
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = { data: join(here, '..', 'data'), seed: '1', combinations: '3000', show: '10' };
for (let j = 2; j < process.argv.length; j += 2) args[process.argv[j].replace(/^--/, '')] = process.argv[j + 1];

let judge, mutate, json, expected_failures;
try {
  judge = await import('./judge.mjs');
  mutate = await import('./mutate.mjs');
  json = await import('./json.mjs');
  ({ expected_failures } = await import('./expected_failures.mjs'));
} catch (e) {
  if (e.code === 'ERR_MODULE_NOT_FOUND' && /zod/.test(e.message)) {
    console.log(`zod differential test skipped: zod is not installed (run \`npm ci\` in ${here})`);
    process.exit(77);
  }
  throw e;
}
if (!args.verdicts || !existsSync(args.verdicts)) {
  console.error('usage: node differential.mjs --verdicts <zod_verdicts program> [--data <tests/data>]');
  process.exit(2);
}

/** The fixture tables of each model: [table, folder of bodies], relative to tests/data. */
const TABLES = {
  crmEngagement: [['bodies.tsv', 'bodies'], ['hostile/hostile.tsv', 'hostile']],
  genericContact: [['generic_contact.tsv', 'generic_contact']],
  telephonyCall: [['telephony_call.tsv', 'telephony_call']],
  // The flat models (branch scalars).
  ...Object.fromEntries([
    ['genericCompany', 'generic_company'], ['genericUser', 'generic_user'],
    ['genericWorkspace', 'generic_workspace'], ['crmOpportunity', 'crm_opportunity'],
    ['crmStage', 'crm_stage'], ['crmPipeline', 'crm_pipeline'], ['widgetCardView', 'widget_card_view'],
    ['schedulingSlot', 'scheduling_slot'], ['accountingInvoice', 'accounting_invoice'],
    ['accountingInvoiceLineItem', 'accounting_invoice_line_item'],
    ['accountingInvoiceItem', 'accounting_invoice_item'],
  ].map(([model, snake]) => [model, [[`${snake}.tsv`, snake]]])),
  telephonyCallTranscript: [['telephony_call_transcript.tsv', 'telephony_call_transcript']],
  schedulingEventType: [['scheduling_event_type.tsv', 'scheduling_event_type']],
  schedulingEvent: [['scheduling_event.tsv', 'scheduling_event']],
};

/** [{file, lenient, strict, bytes}] of a table (comments and blank lines skipped). */
function fixtures(table, folder) {
  const path = join(args.data, table);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((line) => {
    const [file, lenient, strict] = line.split('\t');
    return { file, lenient, strict, bytes: readFileSync(join(args.data, folder, file)) };
  });
}

let table_errors = 0;
const random = mutate.prng(Number(args.seed));
const pick = (list) => list[Math.floor(random() * list.length)];

/** Every body to judge for `model`: [{model, name, bytes}]. */
function bodies_of(model) {
  const rows = TABLES[model].flatMap(([table, folder]) => fixtures(table, folder));
  const out = rows.map((r) => ({ model, name: `fixture ${r.file}`, bytes: r.bytes }));
  const seeds = [];
  for (const r of rows) {
    if (r.lenient !== 'ok') continue;
    try {
      seeds.push({ file: r.file, tree: json.read(new TextDecoder('utf-8', { fatal: true }).decode(r.bytes)) });
    } catch { /* a valid body the reader cannot read is reported by the comparison below */ }
  }
  if (seeds.length === 0) return { out, rows, seeds: 0, mutations: 0 };
  const all = mutate.mutations(model);
  // Every mutation on the first seeds (the tables start with real-shaped events), then random
  // combinations of two or three on any seed.
  for (const seed of seeds.slice(0, 3)) {
    for (const m of all) out.push({ model, name: `${seed.file} | ${m.name}`, bytes: mutate.apply(seed.tree, [m]) });
  }
  for (let j = 0; j < Number(args.combinations); ++j) {
    const seed = pick(seeds);
    const list = Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(all));
    out.push({ model, name: `${seed.file} | ${list.map((m) => m.name).join(' + ')}`, bytes: mutate.apply(seed.tree, list) });
  }
  return { out, rows, seeds: seeds.length, mutations: all.length };
}

// Entries of expected_failures.mjs that name a simdjson version apply to that version only.
const simdjson = spawnSync(args.verdicts, ['--simdjson-version']).stdout.toString().trim();
const expected = expected_failures.filter((x) => !x.simdjson || x.simdjson === simdjson);

const models = args.model ? [args.model] : Object.keys(TABLES);
let failed = false;
const matched = new Set();
for (const model of models) {
  const { out: bodies, rows, seeds, mutations } = bodies_of(model);
  if (bodies.length === 0) {
    console.log(`${model}: no fixtures under ${args.data}`);
    failed = true;
    continue;
  }
  const input = bodies.map((b) => `${model}\t${b.bytes.toString('base64')}\n`).join('');
  const run = spawnSync(args.verdicts, [], { input, maxBuffer: 1 << 30 });
  if (run.status !== 0) {
    console.log(`${model}: ${args.verdicts} failed (${run.status}): ${run.stderr}`);
    failed = true;
    continue;
  }
  const lines = run.stdout.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  for (const l of lines) if (l.event) l.event = JSON.parse(l.event);
  if (lines.length !== bodies.length) throw new Error(`expected ${bodies.length} verdicts, got ${lines.length}`);
  if (lines.every((l) => l.untyped)) {
    // Until the library types the model, check its table against zod instead: a row's strict
    // verdict is `ok` exactly when zod accepts the body, and strict rejects what lenient does.
    // (Once typed, the unit tests hold the library to the table, and this test to zod.)
    for (const r of rows) {
      const zod = judge.strict_verdict(r.bytes, model);
      if ((r.strict === 'ok') !== zod.ok || (r.lenient !== 'ok' && r.strict === 'ok')) {
        console.log(`${model}: fixture ${r.file} says lenient ${r.lenient}, strict ${r.strict}; ` +
                    `zod ${zod.ok ? 'accepts' : `rejects (${zod.why})`}`);
        table_errors += 1;
      }
    }
    console.log(`${model}: not typed by the library yet; ${bodies.length} bodies not compared, ` +
                `its ${rows.length} fixture rows checked against zod`);
    continue;
  }
  const counts = { accepted: 0, rejected: 0, expected: 0 };
  const problems = [];
  bodies.forEach((body, j) => {
    const lib = lines[j];
    const zod = judge.strict_verdict(body.bytes, model);
    counts[zod.ok ? 'accepted' : 'rejected'] += 1;
    const issues = [];
    if ((lib.strict === 'ok') !== zod.ok) issues.push('strict');
    if (lib.strict === 'ok' && lib.lenient !== 'ok') issues.push('lenient');
    // Same verdict, same values: what the library read equals zod's output.
    const difference = lib.event && zod.ok ? judge.value_difference(zod.output, lib.event, model) : '';
    if (difference) {
      issues.push('value');
      zod.why = difference;
    }
    if (issues.length === 0) return;
    const known = issues.length === 1 &&
      expected.find((x) => (x.kind ?? 'strict') === issues[0] && (!x.model || x.model === model) &&
                             x.zod === zod.ok && x.library.test(lib.strict) && (!x.why || x.why.test(zod.why)));
    if (known) {
      counts.expected += 1;
      matched.add(known);
      return;
    }
    problems.push({ body, lib, zod, issues });
  });
  console.log(`${model}: ${bodies.length} bodies (${seeds} valid fixtures as seeds, ${mutations} mutations): ` +
              `zod+deviations accept ${counts.accepted}, reject ${counts.rejected}; ` +
              `${counts.expected} known disagreements (expected_failures.mjs), ${problems.length} new`);
  // A run that compares nothing interesting proves nothing.
  if (counts.accepted < 50 || counts.rejected < 50) {
    console.log(`${model}: too few accepted or rejected bodies to be a test`);
    failed = true;
  }
  // Disagreements grouped by kind (indexes folded), one example body each.
  const groups = new Map();
  for (const p of problems) {
    const fold = (t) => t.replace(/\/\d+/g, '/N');
    const key = `${p.issues.join('+')}: library strict ${fold(p.lib.strict)}, lenient ${fold(p.lib.lenient)}; ` +
                (p.issues.includes('value') ? fold(p.zod.why) : `zod ${p.zod.ok ? 'accepts' : `rejects (${fold(p.zod.why)})`}`);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  for (const [key, list] of [...groups].slice(0, Number(args.show))) {
    const p = list[0];
    const text = p.body.bytes.toString('utf8');
    console.log(`\n  ${list.length} x ${key}`);
    console.log(`    e.g. ${p.body.name}`);
    console.log(`    body: ${text.length > 700 ? `${text.slice(0, 700)}... (${text.length} characters)` : text}`);
  }
  if (groups.size > Number(args.show)) console.log(`\n  ... and ${groups.size - Number(args.show)} more kinds`);
  if (problems.length > 0) failed = true;
}
// The email table the library's unit tests use must hold zod's verdicts.
{
  const { z } = await import('zod');
  const email = z.string().email();
  for (const line of readFileSync(join(args.data, 'zod_emails.tsv'), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [quoted, verdict] = line.split('\t');
    if (email.safeParse(JSON.parse(quoted)).success !== (verdict === 'valid')) {
      console.log(`zod_emails.tsv: zod disagrees with ${line}`);
      table_errors += 1;
    }
  }
}
for (const x of expected) {
  if (!matched.has(x) && (!args.model || !x.model || x.model === args.model)) {
    console.log(`\nexpected failure no longer seen (remove it from expected_failures.mjs): ${x.note}`);
    failed = true;
  }
}
if (table_errors > 0) {
  console.log(`\n${table_errors} fixture rows disagree with zod (see above)`);
  failed = true;
}
console.log(failed ? '\nzod differential test FAILED' : '\nzod differential test passed');
process.exit(failed ? 1 : 0);
