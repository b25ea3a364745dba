// The Node contenders of morph_webhook_bench: what a Morph user on Morph's own stack runs for
// each event, from the bytes received (a Buffer) to a checked object: UTF-8 decoding,
// JSON.parse, then safeParse() with Morph's zod schema of the event's model (tests/zod/
// schemas.mjs). Also JSON.parse alone, the floor of that stack.
//
//   node zod_bench.mjs [--repetitions N] [--min-time S] NAME=MODEL:FILE...
//
// FILE holds one event, or one per line when it ends in .ndjson. Prints one line per payload
// and contender, tab-separated: `row NAME CONTENDER LABEL NS_PER_EVENT ACCEPTED EVENTS`, with
// the median over N repetitions (default 3) of the process CPU time (user + system, so V8's
// garbage collector threads count) per event, each repetition at least S seconds (default
// 0.5) after an untimed warm-up; ACCEPTED is how many events the contender accepted in one
// pass. Exits 2 when zod is not installed here (`npm ci` in this folder).
import { readFileSync } from 'node:fs';
import { installed_version, load_schemas, zod_packages } from './zod_schemas.mjs';

const args = process.argv.slice(2);
let repetitions = 3;
let min_time = 0.5;
const payloads = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === '--repetitions') repetitions = Number(args[++i]);
  else if (args[i] === '--min-time') min_time = Number(args[++i]);
  else {
    const m = /^([^=]+)=([^:]+):(.+)$/.exec(args[i]);
    if (!m) {
      console.error(`zod_bench: bad argument ${args[i]}`);
      process.exit(2);
    }
    payloads.push({ name: m[1], model: m[2], file: m[3] });
  }
}
if (!(repetitions >= 1) || !(min_time > 0)) {
  console.error('zod_bench: --repetitions and --min-time must be positive');
  process.exit(2);
}

const contenders = [];
for (const pkg of zod_packages) {
  const version = installed_version(pkg);
  if (version === null) continue;
  const schemas = await load_schemas(pkg);
  const cache = new Map();
  const schema_of = (model) => {
    if (!cache.has(model)) cache.set(model, schemas.event_schema(model));
    return cache.get(model);
  };
  contenders.push({
    name: pkg === 'zod' ? 'node_zod' : `node_${pkg}`,
    label: `Node ${process.version}: JSON.parse + zod ${version} safeParse`,
    make: (model) => {
      if (!(model in schemas.fields)) return null;  // a model tests/zod has no schema for
      const schema = schema_of(model);
      return (bytes) => schema.safeParse(JSON.parse(bytes.toString('utf8'))).success;
    },
  });
}
if (contenders.length === 0) {
  console.error('zod_bench: zod is not installed in benchmarks/node (run `npm ci` there)');
  process.exit(2);
}
contenders.push({
  name: 'node_json_parse',
  label: `(Node baseline) Node ${process.version}: JSON.parse only, no checks`,
  make: () => (bytes) => {
    JSON.parse(bytes.toString('utf8'));
    return true;
  },
});

function events_of(file) {
  const bytes = readFileSync(file);
  if (!file.endsWith('.ndjson')) return [bytes];
  const out = [];
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    if (end > start) out.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return out;
}

const cpu_ns = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

let sink = 0;  // keeps the results observable
function pass(check, events) {
  let accepted = 0;
  for (const e of events) if (check(e)) ++accepted;
  sink += accepted;
  return accepted;
}

// Runs passes until `seconds` of CPU time went by; returns CPU ns per event. The clock is read
// once per batch of passes, batches growing until one takes a millisecond.
function measure(check, events, seconds) {
  const start = cpu_ns();
  let passes = 0;
  let batch = 1;
  let elapsed = 0;
  while (elapsed < seconds * 1e9) {
    for (let i = 0; i < batch; ++i) pass(check, events);
    passes += batch;
    const now = cpu_ns() - start;
    if (now - elapsed < 1e6) batch *= 2;
    elapsed = now;
  }
  return elapsed / (passes * events.length);
}

for (const p of payloads) {
  const events = events_of(p.file);
  for (const c of contenders) {
    const check = c.make(p.model);
    if (check === null) continue;
    const accepted = pass(check, events);
    measure(check, events, Math.min(min_time, 0.3));  // warm-up: JIT tiers, heap sizes
    const times = [];
    for (let r = 0; r < repetitions; ++r) times.push(measure(check, events, min_time));
    times.sort((a, b) => a - b);
    const median = times[(times.length - 1) >> 1];
    console.log(['row', p.name, c.name, c.label, median.toFixed(1), accepted, events.length].join('\t'));
  }
}
if (sink < 0) console.log(sink);
