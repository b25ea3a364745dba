// Morph's zod schemas (tests/zod/schemas.mjs, written from the contract and models.md) built
// with a chosen zod installed in this folder (`npm ci` here): 'zod' (3.24.1, the version Morph's
// resource-models package asks for) or 'zod4' (zod 4, for comparison).
import { readFileSync } from 'node:fs';
import { register } from 'node:module';

register('./zod_hook.mjs', import.meta.url);

/** The installed packages this folder's benchmarks compare, in table order. */
export const zod_packages = ['zod', 'zod4'];

/** The version of installed package `name`, or null when `npm ci` has not installed it. */
export function installed_version(name) {
  try {
    const url = new URL(`node_modules/${name}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url, 'utf8')).version;
  } catch {
    return null;
  }
}

/** tests/zod/schemas.mjs (`event_schema(model)`, ...) built with package `name`. */
export function load_schemas(name) {
  return import(new URL(`../../tests/zod/schemas.mjs?zod=${name}`, import.meta.url).href);
}
