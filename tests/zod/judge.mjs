// What the strict policy must answer for a body: zod's safeParse of the model's schema,
// plus the deviations contract.md documents ("Validation policies"):
//   - invalid UTF-8 and lone surrogate escapes are rejected (JSON.parse would accept the
//     escapes; Node's fatal decoder rejects the bytes);
//   - a duplicate key in an object the library interprets is rejected (JSON.parse keeps the
//     last one): the root, data, fields, each ref and its remote, each warning;
//   - an integer field must fit a signed 64-bit integer, read as the double JSON.parse gives;
//   - ParseOptions' limits: nesting deeper than 256 levels is rejected;
//   - a number field holding a number beyond a double's range (1e400, which JSON.parse reads
//     as Infinity and z.number().min(0) accepts) is rejected: invalid JSON for the library;
//   - a `z.string().transform()` field (accountingInvoice's dates) is checked as its
//     z.string(): on text Date cannot read the transform throws instead of failing, so zod
//     gives no verdict; the input schema's verdict is used, and values are compared after
//     applying the transform to what the library read. Strict further accepts only the
//     transform's output form (Date.toISOString(): what Morph sends); text zod's z.string()
//     accepts in another form is an expected difference (expected_failures.mjs).
import { read, to_js, walk, member, JsonSyntaxError } from './json.mjs';
import { event_schema, fields, input_fields, is_transform, ref_targets } from './schemas.mjs';
import { z } from 'zod';

const MAX_DEPTH = 256;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const schemas = new Map();

/** Strips .optional() and friends: the schema a present value must match. */
export function unwrap(schema) {
  while (schema instanceof z.ZodOptional) schema = schema.unwrap();
  return schema;
}

/** The ref fields of a model: [[name, target, 'single' | 'list'], ...]. */
export function ref_fields(model) {
  const out = [];
  for (const [name, s] of Object.entries(fields[model])) {
    const inner = unwrap(s);
    if (ref_targets.has(inner)) out.push([name, ref_targets.get(inner), 'single']);
    else if (inner instanceof z.ZodArray && ref_targets.has(unwrap(inner.element))) {
      out.push([name, ref_targets.get(unwrap(inner.element)), 'list']);
    }
  }
  return out;
}

// ---- nested objects, arrays of objects, records, discriminated unions, number arrays ----

/** The schema of a ref made by morph_resource() (a refined object), or undefined. */
function ref_schema(schema) {
  return ref_targets.has(schema) ? schema : undefined;
}

/**
 * Walks a value `node` (json.mjs tree) along its `schema`, calling `visit(schema, node, path)`
 * on every value the schema types: objects, records, arrays and their items, the variant a
 * discriminated union picks. Stops at z.any() and at refs' untyped members.
 */
export function walk_typed(schema, node, path, visit) {
  schema = unwrap(schema);
  if (node === undefined) return;
  visit(schema, node, path);
  if (ref_schema(schema)) {
    const remote = member(node, 'remote');
    if (node.t === 'obj' && remote) visit(unwrap(schema._def.schema.shape.remote), remote, [...path, 'remote']);
  } else if (schema instanceof z.ZodObject && node.t === 'obj') {
    for (const [key, s] of Object.entries(schema.shape)) walk_typed(s, member(node, key), [...path, key], visit);
  } else if (schema instanceof z.ZodDiscriminatedUnion && node.t === 'obj') {
    const type = member(node, schema.discriminator);
    const variant = type && type.t === 'str' ? schema.optionsMap.get(type.v) : undefined;
    if (variant) {
      for (const [key, s] of Object.entries(variant.shape)) walk_typed(s, member(node, key), [...path, key], visit);
    }
  } else if (schema instanceof z.ZodArray && node.t === 'arr') {
    node.items.forEach((item, j) => walk_typed(schema.element, item, [...path, j], visit));
  } else if (schema instanceof z.ZodRecord && node.t === 'obj') {
    for (const [key, value] of node.entries) walk_typed(schema.valueSchema, value, [...path, key], visit);
  }
}

/**
 * The library's deviations inside nested values (contract.md, "Validation policies"): every
 * object a schema types is interpreted, so a duplicate key in it is rejected (a union's object
 * too, whatever its variant); a whole number (`.int()`) must fit 64 bits. `interpreted` gets the
 * paths of those objects; returns a reason when a nested integer is too large.
 */
function nested_deviations(model, fields_node, interpreted) {
  let why;
  for (const [name, schema] of Object.entries(fields[model])) {
    walk_typed(schema, member(fields_node, name), ['data', 'fields', name], (s, node, path) => {
      const typed_object = s instanceof z.ZodObject || s instanceof z.ZodRecord ||
                           s instanceof z.ZodDiscriminatedUnion || ref_schema(s);
      if (typed_object && node.t === 'obj') interpreted.add(JSON.stringify(path));
      if (s instanceof z.ZodNumber && s.isInt && node.t === 'num' && beyond_64_bits(node.raw)) {
        why ??= `/${path.join('/')} ${node.raw} does not fit 64 bits`;
      }
    });
  }
  return why;
}

/** Equality of a zod output value and the library's, along `schema`: refs by object, model, id. */
function same_by_schema(schema, a, b) {
  schema = unwrap(schema);
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  if (ref_schema(schema)) return JSON.stringify([a.object, a.model, a.id]) === JSON.stringify([b.object, b.model, b.id]);
  if (schema instanceof z.ZodArray) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
           a.every((x, j) => same_by_schema(schema.element, x, b[j]));
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).every(([k, s]) => same_by_schema(s, a[k], b[k]));
  }
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const variant = schema.optionsMap.get(a[schema.discriminator]);
    return variant ? same_by_schema(variant, a, b) : same(a, b);
  }
  return same(a, b);
}

/** The fields typed z.number().int(). */
export function int_fields(model) {
  return Object.entries(fields[model])
    .filter(([, s]) => unwrap(s) instanceof z.ZodNumber && unwrap(s).isInt)
    .map(([name]) => name);
}

/**
 * True when the number does not fit a signed 64-bit integer. The number is the double nearest
 * its text, as JSON.parse (and so zod) sees it: 9223372036854775807 is 2^63, which does not.
 */
function beyond_64_bits(raw) {
  return Math.abs(Number(raw)) >= 2 ** 63;
}

/**
 * The strict verdict on `bytes` (a Buffer) as an event of `model`: {ok: true, output} (zod's
 * output) or {ok: false, why: "..."}.
 */
export function strict_verdict(bytes, model) {
  let text;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, why: 'invalid UTF-8' };
  }
  let tree;
  try {
    tree = read(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, why: `JSON.parse: ${e.message}` };
    throw e;
  }
  const interpreted = new Set([JSON.stringify([]), JSON.stringify(['data']),
                               JSON.stringify(['data', 'fields'])]);
  const data = member(tree, 'data');
  const warnings = member(data, 'warnings');
  if (warnings && warnings.t === 'arr') {
    warnings.items.forEach((_, j) => interpreted.add(JSON.stringify(['data', 'warnings', j])));
  }
  const fields_node = member(data, 'fields');
  for (const [name, , kind] of ref_fields(model)) {
    const v = member(fields_node, name);
    const refs = kind === 'single' ? [[name]] : v && v.t === 'arr' ? v.items.map((_, j) => [name, j]) : [];
    for (const at of refs) {
      interpreted.add(JSON.stringify(['data', 'fields', ...at]));
      interpreted.add(JSON.stringify(['data', 'fields', ...at, 'remote']));  // its id is typed
    }
  }
  const nested = nested_deviations(model, fields_node, interpreted);
  if (nested) return { ok: false, why: nested };
  for (const [node, path] of walk(tree)) {
    if ((node.t === 'obj' || node.t === 'arr') && node.depth > MAX_DEPTH) {
      return { ok: false, why: `nesting deeper than ${MAX_DEPTH}` };
    }
    const strings = node.t === 'str' ? [node.v] : node.t === 'obj' ? node.entries.map(([k]) => k) : [];
    if (strings.some((v) => LONE_SURROGATE.test(v))) {
      return { ok: false, why: `lone surrogate at /${path.join('/')}` };
    }
    if (node.t === 'obj' && interpreted.has(JSON.stringify(path))) {
      const keys = node.entries.map(([k]) => k);
      const dup = keys.find((k, j) => keys.indexOf(k) !== j);
      if (dup !== undefined) return { ok: false, why: `duplicate key ${JSON.stringify(dup)} at /${path.join('/')}` };
    }
  }
  for (const name of int_fields(model)) {
    const v = member(fields_node, name);
    if (v && v.t === 'num' && beyond_64_bits(v.raw)) {
      return { ok: false, why: `${name} ${v.raw} does not fit 64 bits` };
    }
  }
  const beyond = number_beyond_double(fields_node, model);
  if (beyond) return { ok: false, why: beyond };
  if (!schemas.has(model)) {
    schemas.set(model, [event_schema(model), event_schema(model, input_fields(model))]);
  }
  const [schema, input_schema] = schemas.get(model);
  let result;
  try {
    result = schema.safeParse(to_js(tree));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    result = input_schema.safeParse(to_js(tree));  // a transform threw: the input's verdict
    if (result.success) result.data.untransformed = true;
  }
  if (result.success) return { ok: true, output: result.data };
  const issue = result.error.issues[0];
  return { ok: false, why: `zod: ${issue.message} at /${issue.path.join('/')}` };
}

/** The number fields of a model that are not .int() (their deviation: see the top). */
function number_beyond_double(fields_node, model) {
  for (const [name, s] of Object.entries(fields[model])) {
    const inner = unwrap(s);
    if (!(inner instanceof z.ZodNumber) || inner.isInt) continue;
    const v = member(fields_node, name);
    if (v && v.t === 'num' && !Number.isFinite(Number(v.raw))) return `${name} ${v.raw} is beyond a double`;
  }
  return '';
}

/** What a `z.string().transform()` field's output is for the library's text `value`. */
function transformed(schema, value) {
  if (value === undefined) return undefined;
  try {
    const r = schema.safeParse(value);
    return r.success ? r.data : value;
  } catch {
    return value;
  }
}

/** Deep equality of JSON values (as JSON.parse builds them). */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

/**
 * Where the event the library read (`event`: its to_json(), parsed) differs from zod's output
 * for the same body: "" when they agree, else the first difference. Refs are compared by their
 * object, model and id (the library keeps the rest as raw JSON, zod strips unknown keys).
 */
export function value_difference(output, event, model) {
  const d = output.data;
  const e = event.data;
  for (const key of ['id', 'createdAt', 'updatedAt']) {
    if (d[key] !== e[key]) return `/data/${key}: library ${JSON.stringify(e[key])}, zod ${JSON.stringify(d[key])}`;
  }
  if (output.event !== event.event) return `/event: library ${event.event}, zod ${output.event}`;
  const warnings = (w) => (w ?? []).map((x) => [x.code, x.message]);
  if (!same(warnings(d.warnings), warnings(e.warnings))) return '/data/warnings differ';
  if (Object.hasOwn(d, 'rawResource') !== Object.hasOwn(e, 'rawResource') || !same(d.rawResource, e.rawResource)) {
    return '/data/rawResource differs';
  }
  const refs = new Map(ref_fields(model).map(([name, , kind]) => [name, kind]));
  const ref_key = (r) => JSON.stringify([r.object, r.model, r.id]);
  for (const name of Object.keys(fields[model])) {
    const z_value = d.fields[name];
    const inner = unwrap(fields[model][name]);
    const l_value = is_transform(inner) && !output.untransformed
      ? transformed(inner, e.fields[name]) : e.fields[name];
    let equal;
    if (z_value === undefined || l_value === undefined) equal = z_value === l_value;
    else if (refs.get(name) === 'single') equal = ref_key(z_value) === ref_key(l_value);
    else if (refs.get(name) === 'list') equal = same(z_value.map(ref_key), l_value.map(ref_key));
    else equal = same_by_schema(fields[model][name], z_value, l_value);
    if (!equal) return `/data/fields/${name}: library ${JSON.stringify(l_value)}, zod ${JSON.stringify(z_value)}`;
  }
  return '';
}
