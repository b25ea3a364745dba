// Checks the card view bodies written by to_json() against Morph's widgetCardView response
// schema in zod, written from ../shared/spec/models.md ("widgetCardView: synchronous
// response"; the same schema as `response` in Morph's WidgetCardView.ts).
//
//   node card_view_zod.mjs --generator <card_view_bodies> [--zod-dir <dir>]...
//
// Every body must pass safeParse AND come out of it unchanged: zod objects strip unknown keys,
// so a body that passes but loses a member would show a member Morph silently drops.
// Known-bad bodies must fail, so the schema is shown to be able to say no.
// zod is looked up in node_modules under each --zod-dir (and $MORPH_WEBHOOK_ZOD_DIR).
// Exit status: 0 all agreed, 1 a disagreement, 77 skipped (zod not installed).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
const generator = option('--generator')[0];
const dirs = [...option('--zod-dir'), process.env.MORPH_WEBHOOK_ZOD_DIR].filter(Boolean);
const dir = dirs.find((d) => existsSync(join(d, 'node_modules', 'zod', 'package.json')));
if (!dir) {
  console.log(`zod not found under ${dirs.join(', ')} (npm ci there): skipped`);
  process.exit(77);
}
const { z } = createRequire(join(dir, 'package.json'))('zod');

const action = z.object({
  type: z.enum(['openUrl', 'openUrlInIframe']),
  label: z.string(),
  url: z.string(),
});
const response = z.object({
  cards: z.array(
    z.object({
      title: z.string(),
      contents: z.array(
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('text'), label: z.string(), value: z.string(), link: z.string().optional() }),
          z.object({
            type: z.literal('status'),
            label: z.string(),
            value: z.string(),
            status: z.enum(['default', 'success', 'warning', 'danger', 'info']),
          }),
        ]),
      ),
      actions: z.array(action).optional(),
      link: z.string().optional(),
    }),
  ),
  root: z
    .object({
      title: z.string().optional(),
      providerName: z.string().optional(),
      providerLogoUrl: z.string().optional(),
      actions: z.array(action).optional(),
    })
    .optional(),
});
// Before Morph's commit 0b6d131 (2025-01-13) root was { actions } with actions required.
const old_root = z.object({ root: z.object({ actions: z.array(action) }).optional() });

let failures = 0;
const fail = (what, body) => {
  failures += 1;
  console.log(`FAIL ${what}: ${body}`);
};

const lines = execFileSync(generator, { encoding: 'utf8' }).split('\n').filter((l) => l !== '');
for (const line of lines) {
  const body = JSON.parse(line);
  const result = response.safeParse(body);
  if (!result.success) fail(`rejected (${result.error.issues[0].message})`, line);
  else if (!isDeepStrictEqual(result.data, body)) fail('a member was stripped', line);
  if (!old_root.safeParse(body).success) fail('invalid under the pre-2025-01-13 root', line);
}

const bad = [
  '{}',
  '{"cards":[{"contents":[]}]}',
  '{"cards":[{"title":"t","contents":[{"type":"status","label":"l","value":"v"}]}]}',
  '{"cards":[{"title":"t","contents":[{"type":"text","label":"l","value":"v","link":1}]}]}',
  '{"cards":[{"title":"t","contents":[],"actions":[{"type":"open","label":"l","url":"u"}]}]}',
  '{"cards":[],"root":{"actions":[{"type":"openUrl","label":"l"}]}}',
];
for (const line of bad) {
  if (response.safeParse(JSON.parse(line)).success) fail('accepted a known-bad body', line);
}

console.log(`${lines.length} generated bodies, ${bad.length} known-bad bodies: ${failures} failures`);
process.exit(failures === 0 && lines.length > 0 ? 0 : 1);
