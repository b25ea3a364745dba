// A receiving application in Node that verifies what `morph-webhook forward` sends with the
// npm `standardwebhooks` package (the Standard Webhooks reference library), as an app would.
// Run by tests/forward/forward_e2e.py (scenario "node"); docs/forward.md shows its core.
//   WEBHOOK_SECRET=whsec_... node forward_app.mjs [PORT]
// Prints "listening on 127.0.0.1:PORT", then one JSON line per request:
// {"webhookId":...,"verified":true|false,"event":...,"error":...}. Verified: 200; else 401.
import http from "node:http";
import standardwebhooks from "standardwebhooks";

const { Webhook } = standardwebhooks;
const wh = new Webhook(process.env.WEBHOOK_SECRET);

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    let line;
    try {
      // Throws unless a v1 signature matches and webhook-timestamp is within 5 minutes.
      const event = wh.verify(body, req.headers);
      line = { webhookId: req.headers["webhook-id"], verified: true, event: event.event,
               key: req.headers["x-idempotency-key"], id: event.data.id };
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    } catch (e) {
      line = { webhookId: req.headers["webhook-id"], verified: false, error: String(e) };
      res.writeHead(401, { "content-type": "application/json" }).end('{"ok":false}');
    }
    process.stdout.write(JSON.stringify(line) + "\n");
  });
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
