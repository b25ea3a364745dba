--[[
  lease(): hands out up to `max_count` leasable deliveries, in the order they became ready.

  Deliveries whose time came (retry due, lease expired) are made ready first, a bounded batch
  per call; an expired lease on its last attempt makes its delivery dead. With ordering, only
  the first undone delivery of a resource is ever in `ready`, so nothing here walks a backlog.
  A delivery whose data is missing (evicted, or deleted behind the inbox's back) is skipped,
  counted and reported, never returned as an empty ghost.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  max count
    ARGV[2]  lease duration, microseconds
    ARGV[3]  max attempts
    ARGV[4]  skip superseded: '1' acks superseded deliveries here instead of returning them
    ARGV[5]  now, microseconds; '' to read the server's clock
    ARGV[6]  retain, microseconds (the lifetime of the per-resource guard it may touch)
    ARGV[7..] one fresh lease token per delivery (at least max count of them)

  Output:
    {lease expiry, {delivery...}, {missing id...}} where each delivery is
    {id, attempt, stale '0'|'1', received_at, connector, owner, key, last_error, body, model,
     resource_id, updated_at, trigger, superseded '0'|'1', lease token}
]]
local max_count = tonumber(ARGV[1])
local lease_duration = tonumber(ARGV[2])
local max_attempts = tonumber(ARGV[3])
local skip_superseded = ARGV[4] == '1'
local now = now_or_server_time(ARGV[5])
local first_token = 7
local expires_at = now + lease_duration

promote_due(now, max_attempts, 1000)

-- The stale verdict of now: older than the newest updatedAt a worker acked for the resource,
-- or not later than an acked deletion.
local function stale_now(resource, updated_at)
  local acked = redis.call('HMGET', acked_guard_key(resource), 'updated_at', 'deleted_at')
  if acked[1] and updated_at < tonumber(acked[1]) then return true end
  if acked[2] and updated_at <= tonumber(acked[2]) then return true end
  return false
end

-- Superseded: a delivery of the resource that arrived later (a greater id), neither stale nor
-- dead, with an updatedAt at least this one's, is stored. `versions` holds exactly the
-- deliveries neither stale nor dead, by updatedAt; the walk stops at the first later arrival.
local function superseded_now(id, resource, updated_at)
  local newer = redis.call('ZRANGEBYSCORE', versions_key(resource), updated_at, '+inf')
  for _, other in ipairs(newer) do
    if other > id then return true end
  end
  return false
end

local leased, missing = {}, {}
local taken = 0
-- Each step looks at the first ready delivery: a skipped superseded one makes the next of its
-- resource ready in the same call. Bounded by the count plus what can be skipped or missing.
for _ = 1, max_count + 1000 do
  if #leased >= max_count then break end
  local id = redis.call('ZRANGE', keys.ready, 0, 0)[1]
  if id == nil then break end
  local data = delivery_key(id)
  local fields = redis.call('HMGET', data, 'stale', 'received_at', 'connector', 'owner', 'key',
                            'last_error', 'body', 'model', 'resource_id', 'updated_at', 'trigger',
                            'resource', 'attempt')
  redis.call('ZREM', keys.ready, id)
  redis.call('ZREM', keys.ready_age, id)
  if fields[3] == false then
    missing[#missing + 1] = id
    redis.call('HINCRBY', keys.counts, 'missing', 1)
    local resource = redis.call('HGET', keys.resource_of, id)
    if resource then leave_line(id, resource, now) end
    forget(id)
  else
    local resource = fields[12]
    local stale, superseded = fields[1] == '1', false
    if resource ~= '' then
      local updated_at = tonumber(fields[10])
      stale = stale_now(resource, updated_at)
      superseded = superseded_now(id, resource, updated_at)
    end
    if stale then redis.call('SADD', keys.stale, id) end
    if skip_superseded and superseded then
      -- Acked without a run; it does not count as processed for the stale verdict.
      redis.call('HSET', data, 'state', state.acked, 'token', '', 'stale_at_lease', stale and '1' or '0')
      redis.call('SREM', keys.stale, id)
      redis.call('ZADD', keys.acked, fields[2], id)
      redis.call('HINCRBY', keys.counts, 'skipped_superseded', 1)
      set_blocking(id, false)
      leave_line(id, resource, now)
    else
      taken = taken + 1
      local attempt = redis.call('HINCRBY', data, 'attempt', 1)
      local token = ARGV[first_token + taken - 1]
      redis.call('HSET', data, 'state', state.leased, 'token', token,
                 'available_at', time_text(expires_at), 'stale_at_lease', stale and '1' or '0')
      redis.call('ZADD', keys.leased, expires_at, id)
      leased[#leased + 1] = {id, attempt, stale and '1' or '0', fields[2], fields[3], fields[4],
                             fields[5], fields[6], fields[7], fields[8], fields[9], fields[10],
                             fields[11], superseded and '1' or '0', token}
    end
  end
end
return {time_text(expires_at), leased, missing}
