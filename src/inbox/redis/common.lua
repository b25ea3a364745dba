--[[
  Helpers every inbox script starts with (prepended to each one when it is loaded).

  Input:
    KEYS[1]  mw:{NAME}:seq. Every other key of the inbox shares its prefix `mw:{NAME}:`, and so
             its hash tag and Redis Cluster slot (the key layout: include/morph/webhook/inbox/redis.hpp).

  Times are microseconds since the epoch, as Lua numbers (doubles: exact below 2^53 µs, the year
  2255), written back with time_text() so that they are never printed in exponent form.
]]
-- Scripts read TIME and then write: Redis 5 and later replicate a script's effects, not the
-- script (Redis 7 only so); on 3.2 and 4 this call asks for that.
if redis.replicate_commands then redis.replicate_commands() end

local prefix = string.sub(KEYS[1], 1, -4)

-- The keys every script may touch; per-delivery and per-resource keys are built below.
local keys = {
  seq = KEYS[1],
  version = prefix .. 'version',
  ready = prefix .. 'ready',          -- leasable deliveries, by the time they became ready
  ready_age = prefix .. 'ready_age',  -- ids ready or waiting, by received-at (oldest ready age)
  delayed = prefix .. 'delayed',      -- failed deliveries, by the time of their retry
  leased = prefix .. 'leased',        -- leased deliveries, by lease expiry
  dead = prefix .. 'dead',            -- dead letters, by id
  acked = prefix .. 'acked',          -- acked deliveries, by received-at (retention)
  stale = prefix .. 'stale',          -- ids not acked whose last verdict (arrival, then lease) is stale
  counts = prefix .. 'counts',        -- counters the scripts maintain (see below)
  blocked = prefix .. 'blocked',      -- ids that block their resource (failed, not yet done)
  resource_of = prefix .. 'resource_of',  -- id -> resource of every delivery in a line
}

-- Counters in `counts`: skipped_superseded (lease() acked it as superseded) and missing (ids
-- found without their data: evicted, or deleted behind the inbox's back).

-- The delivery states (DeliveryState's names), as stored in a delivery's `state` field. A ready
-- delivery is leasable when it is in `ready`; one in its resource's line behind an earlier
-- undone delivery is ready but waiting: not in `ready` (only a line's head ever is).
local state = {
  ready = 'ready',
  leased = 'leased',
  delayed = 'delayed',
  dead = 'dead',
  acked = 'acked',
}

-- Parts joined as LENGTH:BYTES,LENGTH:BYTES...: no separator inside a part is ambiguous.
local function encode(...)
  local parts = {}
  for index, part in ipairs({...}) do parts[index] = #part .. ':' .. part end
  return table.concat(parts, ',')
end

local function delivery_key(id) return prefix .. 'd:' .. id end
-- Removes `id` from the operator's indexes (defined at the end, with them).
local forget_indexes
local function idempotency_key(connector, owner, key) return prefix .. 'k:' .. encode(connector, owner, key) end
local function body_key(connector, owner, sha1) return prefix .. 'b:' .. encode(connector, owner, sha1) end
-- Per resource (its name: encode(connector, owner, model, resource id)).
local function arrival_guard_key(resource) return prefix .. 'r:' .. resource end
local function acked_guard_key(resource) return prefix .. 'a:' .. resource end
local function line_key(resource) return prefix .. 'line:' .. resource end
local function versions_key(resource) return prefix .. 'versions:' .. resource end

local function time_text(microseconds) return string.format('%.0f', microseconds) end

-- `given` (the caller's injected clock) or the server's clock.
local function now_or_server_time(given)
  if given ~= nil and given ~= '' then return tonumber(given) end
  local server_time = redis.call('TIME')
  return tonumber(server_time[1]) * 1000000 + tonumber(server_time[2])
end

-- Removes delivery `id` and every index entry that names it (expiry; a missing delivery).
local function forget(id)
  local data = delivery_key(id)
  local fields = redis.call('HMGET', data, 'connector', 'owner', 'key', 'body_sha1', 'resource', 'model')
  local resource = fields[5] or redis.call('HGET', keys.resource_of, id)
  if fields[1] then
    local by_key = idempotency_key(fields[1], fields[2], fields[3])
    if redis.call('GET', by_key) == id then redis.call('DEL', by_key) end
    redis.call('ZREM', body_key(fields[1], fields[2], fields[4]), id)
    forget_indexes(id, fields[1], fields[2], fields[6] or '', fields[5] or '')
  end
  if resource and resource ~= '' then
    redis.call('ZREM', versions_key(resource), id)
    redis.call('ZREM', line_key(resource), id)
    redis.call('HDEL', keys.resource_of, id)
  end
  redis.call('DEL', data)
  for _, index in ipairs({keys.ready, keys.ready_age, keys.delayed, keys.leased, keys.acked, keys.dead}) do
    redis.call('ZREM', index, id)
  end
  redis.call('SREM', keys.stale, id)
  redis.call('SREM', keys.blocked, id)
end

-- Puts delivery `id`, received at `received_at`, in the ready queue as of `since`.
local function make_ready(id, since, received_at)
  redis.call('HSET', delivery_key(id), 'state', state.ready, 'token', '', 'available_at', time_text(since))
  redis.call('ZADD', keys.ready, since, id)
  redis.call('ZADD', keys.ready_age, received_at, id)
end

-- Takes `id` out of its resource's line (it is acked, dead or gone) and makes the next one, which
-- was waiting behind it, leasable as of when it was stored or requeued (its `available_at`), so
-- it goes before what arrived after it. A waiting delivery is in `ready_age` already.
local function leave_line(id, resource)
  if resource == nil or resource == '' then return end
  local line = line_key(resource)
  local first_two = redis.call('ZRANGE', line, 0, 1)
  if first_two[1] == nil then return end
  redis.call('ZREM', line, id)
  redis.call('HDEL', keys.resource_of, id)
  local next_id = first_two[2]
  if first_two[1] ~= id or next_id == nil then return end
  local next_fields = redis.call('HMGET', delivery_key(next_id), 'state', 'available_at')
  if next_fields[1] == state.ready then
    redis.call('ZADD', keys.ready, next_fields[2], next_id)
  elseif next_fields[1] == false then
    -- Its data is gone: skip it too, so the resource is not blocked forever.
    redis.call('HINCRBY', keys.counts, 'missing', 1)
    leave_line(next_id, resource)
    forget(next_id)
  end
end

-- Drops delivery `id`, whose data vanished (evicted, deleted by hand): counted, out of every
-- index, its resource's line passed on.
local function drop_missing(id)
  redis.call('HINCRBY', keys.counts, 'missing', 1)
  local resource = redis.call('HGET', keys.resource_of, id)
  if resource then leave_line(id, resource) end
  forget(id)
end

-- Adds `id` at the back of its resource's line; true when it is the head (nothing earlier).
local function join_line(id, resource)
  local line = line_key(resource)
  local last = redis.call('ZRANGE', line, -1, -1, 'WITHSCORES')
  local position = 1
  if last[2] then position = tonumber(last[2]) + 1 end
  redis.call('ZADD', line, position, id)
  redis.call('HSET', keys.resource_of, id, resource)
  return last[1] == nil
end

-- Why `token` is not a valid lease of `id` at `now` (a refusal reason), or nil and the
-- delivery's attempt, received-at and resource.
-- A dead or acked delivery made ready again (requeue, replay): remembered among its resource's
-- versions (updatedAt `updated_at`) and put at the back of its resource's line; when an earlier
-- delivery of the resource is still undone it waits there, ready but not yet in `ready`.
local function make_ready_again(id, resource, updated_at, ordered, now, received_at)
  if resource ~= '' then
    redis.call('ZADD', versions_key(resource), updated_at, id)
  end
  if ordered and resource ~= '' and not join_line(id, resource) then
    redis.call('HSET', delivery_key(id), 'state', state.ready, 'available_at', time_text(now))
    redis.call('ZADD', keys.ready_age, received_at, id)
  else
    make_ready(id, now, received_at)
  end
end

local function check_lease(id, token, now)
  local fields = redis.call('HMGET', delivery_key(id), 'state', 'token', 'available_at', 'attempt',
                            'received_at', 'resource')
  if not fields[1] then return 'missing' end
  if fields[1] == state.acked then return 'acked' end
  if fields[1] == state.dead then return 'dead' end
  if token == '' or fields[2] ~= token or fields[1] ~= state.leased then return 'wrong_token' end
  if tonumber(fields[3]) <= now then return 'expired' end
  return nil, {attempt = tonumber(fields[4]), received_at = fields[5], resource = fields[6]}
end

-- Whether delivery `id` blocks its resource (an ordered delivery that failed, or whose lease
-- expired, and is not yet acked or dead): membership of `blocked`.
local function set_blocking(id, blocking)
  if not blocking then
    redis.call('SREM', keys.blocked, id)
    return
  end
  local fields = redis.call('HMGET', delivery_key(id), 'ordered', 'resource')
  if fields[1] == '1' and fields[2] ~= '' then redis.call('SADD', keys.blocked, id) end
end

-- Delivery `id` dies with `reason`: out of its resource's line, which it releases, and out of
-- its versions (a dead delivery supersedes nothing).
local function make_dead(id, reason, resource)
  set_blocking(id, false)
  redis.call('HSET', delivery_key(id), 'state', state.dead, 'token', '', 'last_error', reason)
  redis.call('ZREM', keys.leased, id)
  redis.call('ZREM', keys.ready, id)
  redis.call('ZREM', keys.ready_age, id)
  redis.call('ZADD', keys.dead, 0, id)
  if resource and resource ~= '' then
    redis.call('ZREM', versions_key(resource), id)
    leave_line(id, resource)
  end
end

-- The operator's indexes (layout 3): every delivery by model, connector, owner and resource,
-- each a sorted set of ids with score 0, so that lexical order (16-digit ids) is id order and
-- list() reads newest first with ZREVRANGEBYLEX.
local function model_index_key(model) return prefix .. 'ix:model:' .. encode(model) end
local function connector_index_key(connector) return prefix .. 'ix:connector:' .. encode(connector) end
local function owner_index_key(owner) return prefix .. 'ix:owner:' .. encode(owner) end
local function resource_index_key(resource) return prefix .. 'ix:resource:' .. resource end

-- Adds (or, with `remove`, removes) delivery `id` to the operator's indexes.
local function index_delivery(id, connector, owner, model, resource, remove)
  local function touch(key)
    if remove then redis.call('ZREM', key, id) else redis.call('ZADD', key, 0, id) end
  end
  touch(connector_index_key(connector))
  touch(owner_index_key(owner))
  if model ~= '' then touch(model_index_key(model)) end
  if resource ~= nil and resource ~= '' then touch(resource_index_key(resource)) end
end

forget_indexes = function(id, connector, owner, model, resource)
  index_delivery(id, connector, owner, model, resource, true)
end

-- The operator's view of delivery `id` at `now` (get(), list()), or nil when it is gone:
-- {id, state, attempt, stale, arrival stale, superseded, waiting, blocked, replays,
--  received_at, due_at, connector, owner, key, model, resource_id, updated_at, trigger,
--  last_error, resource} with `state` the DeliveryState name (a due lease or retry is ready).
local function record_of(id, now)
  local f = redis.call('HMGET', delivery_key(id), 'state', 'attempt', 'stale_at_lease', 'stale',
                       'superseded_at_lease', 'blocking', 'replays', 'received_at', 'available_at',
                       'connector', 'owner', 'key', 'model', 'resource_id', 'updated_at', 'trigger',
                       'last_error', 'resource')
  if not f[1] or not f[10] then return nil end
  local stored, due_at = f[1], ''
  local shown = stored
  -- Ready but not in `ready`: waiting behind an earlier delivery of its resource.
  local waiting = stored == state.ready and redis.call('ZSCORE', keys.ready, id) == false
  if stored == state.leased or stored == state.delayed then
    if tonumber(f[9]) <= now then shown = state.ready else due_at = f[9] end
  end
  return {id, shown, f[2] or '0', f[3] or f[4] or '0', f[4] or '0', f[5] or '0',
          waiting and '1' or '0',
          redis.call('SISMEMBER', keys.blocked, id) == 1 and '1' or '0', f[7] or '0', f[8], due_at,
          f[10], f[11], f[12], f[13] or '', f[14] or '', f[15] or '', f[16] or '', f[17] or '',
          f[18] or ''}
end
