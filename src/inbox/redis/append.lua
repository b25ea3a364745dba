--[[
  append(): stores one delivery, unless it is a duplicate, in one atomic step.

  Input:
    KEYS[1]   mw:{NAME}:seq
    ARGV[1]   connector id
    ARGV[2]   owner id
    ARGV[3]   idempotency key
    ARGV[4]   body, byte for byte
    ARGV[5]   dedupe identical bodies: '1' or '0'
    ARGV[6]   model
    ARGV[7]   resource id (data.id); '' when the event names none (no ordering, never stale)
    ARGV[8]   data.updatedAt, microseconds since the epoch
    ARGV[9]   data.updatedAt as 20 digits whose text order is the time order (arrival guard)
    ARGV[10]  trigger: 'created', 'updated' or 'deleted' (a deletion is a tombstone)
    ARGV[11]  ordered: '1' to lease the resource's deliveries one at a time, in arrival order
    ARGV[12]  retain, microseconds
    ARGV[13]  now, microseconds; '' to read the server's clock

  Output:
    {id, 'stored' | 'duplicate', stale at arrival '0' | '1'}
]]
local connector, owner, key, body = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local dedupe_bodies = ARGV[5] == '1'
local model, resource_id = ARGV[6], ARGV[7]
local updated_at, updated_at_ordered, trigger = ARGV[8], ARGV[9], ARGV[10]
local deleted = trigger == 'deleted' and '1' or '0'
local ordered = ARGV[11] == '1'
local retain = tonumber(ARGV[12])
local now = now_or_server_time(ARGV[13])
local retained_since = now - retain

-- The stale flag of delivery `id` if it still counts for dedupe; false when it is acked past
-- its retention (to be dropped); nil when it no longer exists.
local function still_counts(id)
  local fields = redis.call('HMGET', delivery_key(id), 'state', 'received_at', 'stale')
  if not fields[1] then return nil end
  if fields[1] == state.acked and tonumber(fields[2]) < retained_since then return false end
  return fields[3]
end

local by_key = idempotency_key(connector, owner, key)
local known = redis.call('GET', by_key)
if known then
  local stale = still_counts(known)
  if stale then return {known, 'duplicate', stale} end
  if stale == false then forget(known) else redis.call('DEL', by_key) end
end

local body_sha1 = redis.sha1hex(body)
local by_body = body_key(connector, owner, body_sha1)
if dedupe_bodies then
  -- Same hash: compare the bytes, so a collision never drops an event.
  for _, other in ipairs(redis.call('ZRANGE', by_body, 0, -1)) do
    local fields = redis.call('HMGET', delivery_key(other), 'state', 'received_at', 'stale', 'body')
    if not fields[1] then
      redis.call('ZREM', by_body, other)
    elseif (fields[1] ~= state.acked or tonumber(fields[2]) >= retained_since) and fields[4] == body then
      return {other, 'duplicate', fields[3]}
    end
  end
end

-- The arrival verdict: older than the newest updatedAt seen for the resource, or not later
-- than a deletion seen.
local stale = '0'
local resource = ''
if resource_id ~= '' then
  resource = encode(connector, owner, model, resource_id)
  local guard = arrival_guard_key(resource)
  local newest, newest_deleted = updated_at_ordered, deleted
  local seen = redis.call('GET', guard)
  if seen then
    local seen_updated, seen_deleted = string.sub(seen, 1, 20), string.sub(seen, 22)
    if updated_at_ordered < seen_updated or (updated_at_ordered == seen_updated and seen_deleted == '1') then
      stale = '1'
    end
    if updated_at_ordered < seen_updated then
      newest, newest_deleted = seen_updated, seen_deleted
    elseif updated_at_ordered == seen_updated and seen_deleted == '1' then
      newest_deleted = '1'  -- an event as old as a deletion never undoes it
    end
  end
  redis.call('SET', guard, newest .. ' ' .. newest_deleted, 'PX', math.max(1, math.floor(retain / 1000)))
end

local id = string.format('%016d', redis.call('INCR', keys.seq))
redis.call('HSET', delivery_key(id), 'connector', connector, 'owner', owner, 'key', key,
           'body', body, 'body_sha1', body_sha1, 'stale', stale, 'received_at', time_text(now),
           'state', state.ready, 'attempt', '0', 'token', '', 'available_at', time_text(now),
           'last_error', '', 'model', model, 'resource_id', resource_id,
           'updated_at', resource_id ~= '' and updated_at or '', 'trigger', trigger,
           'resource', resource, 'ordered', ordered and '1' or '0')
redis.call('SET', by_key, id)
redis.call('ZADD', by_body, 0, id)
index_delivery(id, connector, owner, model, resource)
if stale == '1' then redis.call('SADD', keys.stale, id) end
if resource ~= '' then
  redis.call('ZADD', versions_key(resource), tonumber(updated_at), id)
end
if ordered and resource ~= '' and not join_line(id, resource) then
  -- Ready, but waiting behind an earlier delivery of its resource: not in `ready` yet.
  redis.call('ZADD', keys.ready_age, now, id)
else
  make_ready(id, now, now)
end
return {id, 'stored', stale}
