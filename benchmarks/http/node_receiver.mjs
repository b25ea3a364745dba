// The receiver a Morph user on Morph's own stack would write: node:http + JSON.parse + zod
// 3.24.1 (Morph's crmEngagement schema, tests/zod/schemas.mjs, loaded through
// ../node/zod_schemas.mjs: run `npm ci` in benchmarks/node). The Node peer of beast_receiver
// and httplib_receiver in run.sh: the same checks and the same answers (their --strict), one
// log line per request as they write.
//
//   node node_receiver.mjs [--host 127.0.0.1] [--port 8080] [--max-body-bytes N] [--empty-handler]
//
// POST /webhooks/morph: 200 {"ok":true,"event":...,"id":...,"idempotency_key":...} for a valid
// crmEngagement event; 400 {"error":{...}} for bad headers or a bad body, 422 for a well-formed
// event of another model, 413 over the limit; other methods 405, other paths 404.
// --empty-handler: 200 {"ok":true} for every POST on the path, after reading the body (the floor).
// Prints "listening on HOST:PORT" first. Exits on SIGINT/SIGTERM.
import { createServer } from 'node:http';
import { load_schemas } from '../node/zod_schemas.mjs';

const path = '/webhooks/morph';
const options = { host: '127.0.0.1', port: 8080, max_body: 8 * 1024 * 1024, empty: false };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; ++i) {
  const next = args[i + 1];
  if (args[i] === '--host' && next) options.host = args[++i];
  else if (args[i] === '--port' && /^\d+$/.test(next ?? '')) options.port = Number(args[++i]);
  else if (args[i] === '--max-body-bytes' && /^\d+$/.test(next ?? '')) options.max_body = Number(args[++i]);
  else if (args[i] === '--empty-handler') options.empty = true;
  else {
    console.error(`node_receiver: bad argument '${args[i]}'`);
    process.exit(2);
  }
}

const schema = (await load_schemas('zod')).event_schema('crmEngagement');

function error_body(code, message, pointer = '', header = undefined) {
  const error = { code, pointer };
  if (header !== undefined) error.header = header;
  error.message = message;
  return { error };
}

// validate_headers(): each present once (or repeated with the same value), trimmed, non-empty,
// no control bytes, at most 1024 bytes. Returns [values] or an error answer.
const header_names = [['x-conector-id', 'x-connector-id'], ['x-owner-id'], ['x-idempotency-key']];
function check_headers(req) {
  const values = [];
  for (const names of header_names) {
    const seen = names.flatMap((n) => req.headersDistinct[n] ?? []).map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
    const name = names[0];
    if (seen.length === 0) return [400, error_body('missing_header', `missing header ${name}`, '', name)];
    for (const v of seen) {
      // eslint-disable-next-line no-control-regex
      if (v.length === 0 || v.length > 1024 || /[\x00-\x1f\x7f]/.test(v)) {
        return [400, error_body('invalid_header', `invalid value of ${name}`, '', name)];
      }
    }
    if (seen.some((v) => v !== seen[0])) {
      return [400, error_body('duplicate_header', `${name} sent twice with different values`, '', name)];
    }
    values.push(seen[0]);
  }
  return values;
}

const pointer = (path) => path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

// The answer to a POST on the path with `body` (a Buffer): [status, JSON value, log fields].
function answer_webhook(req, body) {
  const headers = check_headers(req);
  if (headers.length === 2 && typeof headers[0] === 'number') return [...headers, {}];
  const key = headers[2];
  if (body.length === 0) return [400, error_body('empty_body', 'the body is empty'), { key }];
  let value;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return [400, error_body('invalid_json', e.message), { key }];
  }
  const model = typeof value?.event === 'string' ? value.event.split('::')[0] : undefined;
  if (model !== undefined && model !== 'crmEngagement' && /^[A-Za-z]+$/.test(model)) {
    return [422, error_body('unsupported_model', `${model} events are not handled here`, '/event'), { key }];
  }
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return [400, error_body('invalid_value', issue.message, pointer(issue.path)), { key }];
  }
  const { event, data } = checked.data;
  return [200, { ok: true, event, id: data.id, idempotency_key: key }, { event, id: data.id, key }];
}

const q = (s) => JSON.stringify(s ?? '');
function respond(req, res, status, value, log, start, extra = {}) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
  res.end(text);
  const us = start === undefined ? '-' : Math.round(Number(process.hrtime.bigint() - start) / 1000);
  process.stdout.write(`status=${status} method=${q(req.method)} path=${q(req.url)} event=${q(log.event)} ` +
    `id=${q(log.id)} key=${q(log.key)} error=${value.error?.code ?? '-'} us=${us}\n`);
}

const server = createServer((req, res) => {
  if (req.url !== path) return respond(req, res, 404, error_body('not_found', `POST to ${path}`), {});
  if (req.method !== 'POST') {
    return respond(req, res, 405, error_body('method_not_allowed', `only POST is allowed on ${path}`), {},
      undefined, { allow: 'POST' });
  }
  const too_large = () => {
    respond(req, res, 413, error_body('body_too_large', `the body is larger than the limit of ${options.max_body} bytes`),
      {}, undefined, { connection: 'close' });
    req.destroy();
  };
  if (Number(req.headers['content-length'] ?? 0) > options.max_body) return too_large();
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > options.max_body) return too_large();
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > options.max_body) return;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (options.empty) return respond(req, res, 200, { ok: true }, {});
    const start = process.hrtime.bigint();
    const [status, value, log] = answer_webhook(req, body);
    respond(req, res, status, value, log, start);
  });
});
server.keepAliveTimeout = 30000;
server.listen(options.port, options.host, () => {
  process.stdout.write(`listening on ${options.host}:${server.address().port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
