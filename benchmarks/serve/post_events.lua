-- wrk script for serve_bench.sh: POSTs examples/payloads/call-created.json with a distinct
-- idempotency key and a distinct data.id per request (so no request is a duplicate, by key or
-- by body), and counts answers other than 200.
--   wrk ... -s post_events.lua URL -- BODY_FILE RUN_NAME
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local template = f:read("*a")
  f:close()
  local s, e = string.find(template, '"id": "29090716"', 1, true)
  assert(s, "the body has no \"id\": \"29090716\"")
  before, after = template:sub(1, s - 1), template:sub(e + 1)
  run = args[2] or "run"
  counter = 0
  bad = 0
end

function request()
  counter = counter + 1
  local key = run .. "-" .. tid .. "-" .. counter
  return wrk.format("POST", nil, {
    ["content-type"] = "application/json",
    ["x-conector-id"] = "bench",
    ["x-owner-id"] = "owner",
    ["x-idempotency-key"] = key,
  }, before .. '"id": "' .. key .. '"' .. after)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("non-200: %d\n", total))
end
