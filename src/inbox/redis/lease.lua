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
    ARGV[6..] one fresh lease token per delivery (at least max count of them)

  Output:
    {lease expiry, {delivery...}, {missing id...}} where each delivery is
    {id, attempt, stale '0'|'1', received_at, connector, owner, key, last_error, body, model,
     resource_id, updated_at, trigger, superseded '0'|'1', lease token, replays}
]]
local max_count = tonumber(ARGV[1])
local lease_duration = tonumber(ARGV[2])
local max_attempts = tonumber(ARGV[3])
local skip_superseded = ARGV[4] == '1'
local now = now_or_server_time(ARGV[5])
local first_token = 6
local expires_at = now + lease_duration

-- Ids found without their data, reported to the caller.
local missing = {}

-- Moves up to `limit` deliveries whose time came (retry due, lease expired) to ready as of
-- that time. Bounded, so no call walks a backlog. An expired lease loses its token here; the
-- loop below then makes it dead if that was its last attempt, or marks its resource blocked.
local function promote_due(now, limit)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', keys.delayed, '-inf', now, 'LIMIT', 0, limit)) do
    local fields = redis.call('HMGET', delivery_key(id), 'available_at', 'received_at')
    redis.call('ZREM', keys.delayed, id)
    if fields[1] then
      make_ready(id, tonumber(fields[1]), tonumber(fields[2]))
    else
      missing[#missing + 1] = id
      drop_missing(id)
    end
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', keys.leased, '-inf', now, 'LIMIT', 0, limit)) do
    local fields = redis.call('HMGET', delivery_key(id), 'available_at', 'received_at')
    redis.call('ZREM', keys.leased, id)
    if fields[1] then
      -- The token goes with the lease: the late owner's ack() or fail() is refused.
      make_ready(id, tonumber(fields[1]), tonumber(fields[2]))
      redis.call('HSET', delivery_key(id), 'lease_expired', '1')
    else
      missing[#missing + 1] = id
      drop_missing(id)
    end
  end
end

promote_due(now, 1000)

-- The acked guard of a resource: the newest updatedAt a worker acked, whether that one is
-- (also) a deletion, and the delivery that set it (the latest on ties).
local function acked_guard(resource)
  local fields = redis.call('HMGET', acked_guard_key(resource), 'updated_at', 'deleted', 'delivery')
  if not fields[1] then return nil end
  return {updated_at = tonumber(fields[1]), deleted = fields[2] == '1', delivery = fields[3]}
end

-- The stale verdict of now: older than the newest updatedAt a worker acked for the resource,
-- or not later than it when that one is a deletion.
local function stale_now(guard, updated_at)
  return guard ~= nil and (updated_at < guard.updated_at or (guard.deleted and updated_at <= guard.updated_at))
end

-- A score bound: at least `value`, or above it when `exclusive`.
local function bound(value, exclusive) return (exclusive and '(' or '') .. time_text(value) end

-- Superseded: a delivery of the resource that arrived later (a greater id) is stored, with an
-- updatedAt at least this one's (above it, for a deletion: an update as old does not replace a
-- deletion), and it is not dead and not stale itself. Among acked deliveries only the newest
-- can qualify (the guard); among undone ones, `versions` holds them by updatedAt, so one range
-- from the lowest qualifying updatedAt answers it (the walk stops at the first later arrival).
local function superseded_now(id, resource, updated_at, deleted, guard)
  if guard ~= nil and guard.delivery > id and
      (guard.updated_at > updated_at or (guard.updated_at == updated_at and not deleted)) then
    return true
  end
  local lowest = bound(updated_at, deleted)
  if guard ~= nil then
    -- Not stale itself: newer than the acked guard, or as new when that is no deletion.
    if guard.updated_at > updated_at or (guard.updated_at == updated_at and guard.deleted) then
      lowest = bound(guard.updated_at, guard.deleted)
    end
  end
  local page_size, offset = 16, 0
  while true do
    local newer = redis.call('ZRANGEBYSCORE', versions_key(resource), lowest, '+inf', 'LIMIT', offset, page_size)
    for _, other in ipairs(newer) do
      if other > id then return true end
    end
    if #newer < page_size then return false end
    offset = offset + page_size
  end
end

local leased = {}
local taken = 0
-- Each step looks at the first ready delivery: one made dead or skipped as superseded makes
-- the next of its resource ready in the same call. Bounded by the count plus what can be
-- dropped or skipped.
for _ = 1, max_count + 1000 do
  if #leased >= max_count then break end
  local id = redis.call('ZRANGE', keys.ready, 0, 0)[1]
  if id == nil then break end
  local data = delivery_key(id)
  local fields = redis.call('HMGET', data, 'received_at', 'connector', 'owner', 'key',
                            'last_error', 'body', 'model', 'resource_id', 'updated_at', 'trigger',
                            'resource', 'attempt', 'lease_expired', 'replays')
  local received_at, connector, owner, key, last_error, body = fields[1], fields[2], fields[3], fields[4], fields[5], fields[6]
  local model, resource_id, updated_at, trigger = fields[7], fields[8], fields[9], fields[10]
  local resource, attempt, lease_expired = fields[11], tonumber(fields[12]), fields[13] == '1'
  local replays = fields[14] or '0'
  redis.call('ZREM', keys.ready, id)
  redis.call('ZREM', keys.ready_age, id)
  if connector == false then
    missing[#missing + 1] = id
    drop_missing(id)
  elseif attempt >= max_attempts then
    -- Its lease expired on its last attempt: a worker that crashes on it every time must not
    -- keep it forever.
    redis.call('HDEL', data, 'lease_expired')
    local reason = 'the lease expired on the last attempt'
    if last_error ~= '' then reason = last_error .. '; ' .. reason end
    make_dead(id, reason, resource)
  else
    local stale, superseded = false, false
    if resource ~= '' and replays == '0' then  -- a replay is the operator's decision
      local guard = acked_guard(resource)
      stale = stale_now(guard, tonumber(updated_at))
      superseded = superseded_now(id, resource, tonumber(updated_at), trigger == 'deleted', guard)
    end
    local stale_flag = stale and '1' or '0'
    if stale then redis.call('SADD', keys.stale, id) else redis.call('SREM', keys.stale, id) end
    if lease_expired then
      redis.call('HDEL', data, 'lease_expired')
      set_blocking(id, true)
    end
    if skip_superseded and superseded then
      -- Acked without a run; it does not count as processed for the stale verdict.
      redis.call('HSET', data, 'state', state.acked, 'token', '', 'stale_at_lease', stale_flag)
      redis.call('SREM', keys.stale, id)
      redis.call('ZADD', keys.acked, received_at, id)
      redis.call('HINCRBY', keys.counts, 'skipped_superseded', 1)
      set_blocking(id, false)
      if resource ~= '' then
        redis.call('ZREM', versions_key(resource), id)
        leave_line(id, resource)
      end
    else
      taken = taken + 1
      local token = ARGV[first_token + taken - 1]
      local next_attempt = redis.call('HINCRBY', data, 'attempt', 1)
      redis.call('HSET', data, 'state', state.leased, 'token', token,
                 'available_at', time_text(expires_at), 'stale_at_lease', stale_flag,
                 'superseded_at_lease', superseded and '1' or '0')
      redis.call('ZADD', keys.leased, expires_at, id)
      leased[#leased + 1] = {id, next_attempt, stale_flag, received_at, connector, owner, key,
                             last_error, body, model, resource_id, updated_at, trigger,
                             superseded and '1' or '0', token, replays}
    end
  end
end
return {time_text(expires_at), leased, missing}
