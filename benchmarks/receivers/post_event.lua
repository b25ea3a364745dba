-- wrk script: POST one real Morph event, with the three headers, on keep-alive connections.
-- The body file is $MORPH_WRK_BODY (default: examples/payloads/call-created.json, run from
-- the repository root).
local path = os.getenv("MORPH_WRK_BODY") or "examples/payloads/call-created.json"
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.path = "/webhooks/morph"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-conector-id"] = "hubspot"
wrk.headers["x-owner-id"] = "owner-1"
wrk.headers["x-idempotency-key"] = "4567890123"

-- Any non-200 answer is counted by wrk as "Non-2xx or 3xx responses".
