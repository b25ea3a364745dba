// A JSON reader and writer for the differential test, independent of the library.
//
// read() accepts exactly what JSON.parse accepts (RFC 8259) and returns a tree that keeps what
// JSON.parse throws away: the order and duplicates of object keys, the text of numbers and
// strings, and the nesting depth. to_js() turns a tree into the value JSON.parse would give
// (the last duplicate wins, "__proto__" is an ordinary key), which is what zod sees. write()
// turns a tree back into text, so the mutator can produce bodies JSON.stringify cannot
// (duplicate keys, 3.0, 1e400, escapes chosen on purpose).
//
// Node kinds: {t:'obj', entries:[[key, node], ...]}, {t:'arr', items:[node, ...]},
// {t:'str', v, raw?} (raw: the exact text between the quotes), {t:'num', raw},
// {t:'lit', v} (true, false, null).

export class JsonSyntaxError extends Error {}

const WS = new Set([' ', '\t', '\n', '\r']);

/** Parses `text` (a JS string); throws JsonSyntaxError where JSON.parse would throw. */
export function read(text) {
  let i = 0;
  const fail = (what) => { throw new JsonSyntaxError(`${what} at offset ${i}`); };
  const skip = () => { while (i < text.length && WS.has(text[i])) ++i; };
  const value = (depth) => {
    skip();
    const c = text[i];
    if (c === '{') return object(depth + 1);
    if (c === '[') return array(depth + 1);
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) { i += word.length; return { t: 'lit', v }; }
    }
    return fail('unexpected character');
  };
  const object = (depth) => {
    ++i;
    const node = { t: 'obj', entries: [], depth };
    skip();
    if (text[i] === '}') { ++i; return node; }
    for (;;) {
      skip();
      if (text[i] !== '"') fail('expected a key');
      const key = string().v;
      skip();
      if (text[i++] !== ':') fail('expected :');
      node.entries.push([key, value(depth)]);
      skip();
      const c = text[i++];
      if (c === '}') return node;
      if (c !== ',') fail('expected , or }');
    }
  };
  const array = (depth) => {
    ++i;
    const node = { t: 'arr', items: [], depth };
    skip();
    if (text[i] === ']') { ++i; return node; }
    for (;;) {
      node.items.push(value(depth));
      skip();
      const c = text[i++];
      if (c === ']') return node;
      if (c !== ',') fail('expected , or ]');
    }
  };
  const string = () => {
    const start = ++i;
    let v = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i];
      if (c === '"') break;
      if (c < ' ') fail('control character in string');
      if (c === '\\') {
        const e = text[i + 1];
        const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) { v += simple[e]; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          v += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail('bad escape');
      }
      v += c;
      ++i;
    }
    const raw = text.slice(start, i);
    ++i;
    return { t: 'str', v, raw };
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 4096));
    if (!m) fail('bad number');
    i += m[0].length;
    return { t: 'num', raw: m[0] };
  };
  const root = value(0);
  skip();
  if (i !== text.length) fail('content after the root value');
  return root;
}

/** The value JSON.parse gives for the text of `node`. */
export function to_js(node) {
  switch (node.t) {
    case 'obj': {
      const o = {};
      for (const [k, v] of node.entries) {
        Object.defineProperty(o, k, { value: to_js(v), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 'arr': return node.items.map(to_js);
    case 'str': return node.v;
    case 'num': return Number(node.raw);
    default: return node.v;
  }
}

/** JSON text of `node` (compact); strings keep their raw text when they have one. */
export function write(node) {
  switch (node.t) {
    case 'obj':
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`).join(',')}}`;
    case 'arr': return `[${node.items.map(write).join(',')}]`;
    case 'str': return node.raw !== undefined ? `"${node.raw}"` : JSON.stringify(node.v);
    case 'num': return node.raw;
    default: return JSON.stringify(node.v);
  }
}

/** A tree for a plain JS value (objects, arrays, strings, finite numbers, booleans, null). */
export function from_js(v) {
  if (v === null || typeof v === 'boolean') return { t: 'lit', v };
  if (typeof v === 'string') return { t: 'str', v };
  if (typeof v === 'number') return { t: 'num', raw: String(v) };
  if (Array.isArray(v)) return { t: 'arr', items: v.map(from_js) };
  if (v && v.t) return v;  // already a node
  return { t: 'obj', entries: Object.entries(v).map(([k, x]) => [k, from_js(x)]) };
}

/** Every node of the tree with its path (keys and indexes), depth first. */
export function* walk(node, path = []) {
  yield [node, path];
  if (node.t === 'obj') for (const [k, v] of node.entries) yield* walk(v, [...path, k]);
  if (node.t === 'arr') for (let j = 0; j < node.items.length; ++j) yield* walk(node.items[j], [...path, j]);
}

/** The member `key` of an object node (the last one, as JSON.parse keeps), or undefined. */
export function member(node, key) {
  if (!node || node.t !== 'obj') return undefined;
  for (let j = node.entries.length - 1; j >= 0; --j) if (node.entries[j][0] === key) return node.entries[j][1];
  return undefined;
}
