--[[
  Migrates one batch of a keyspace written by layout 1 (the previous version, 6c9bbc7) to
  layout 2; the caller repeats it until it answers 'done'. Each batch is atomic, so several
  openers may migrate at once and a crash mid-way resumes. Processes of the previous version
  must be stopped first: their scripts know nothing of layout 2.

  Layout 1: a delivery hash d:ID with fields c, o, k, body, h, stale, recv, state ('0' pending,
  '1' acked, '2' dead), attempt, token, avail, err; sorted sets queue (pending, by available-
  at), leased (by expiry), pending (by received-at), acked (by received-at), dead; the set
  stale; dedupe keys k:, b: and arrival guards r:, which layout 2 keeps as they are. Its
  deliveries carry no model or resource id, so they are migrated without ordering.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  batch size
    ARGV[2]  the layout version to stamp when done
    ARGV[3]  now, microseconds; '' to read the server's clock

  Output:
    {'more' | 'done', deliveries migrated by this call}
]]
local batch = tonumber(ARGV[1])
local new_version = ARGV[2]
local now = now_or_server_time(ARGV[3])

local old = {
  queue = prefix .. 'queue',
  pending = prefix .. 'pending',
  leased = prefix .. 'v1:leased',
  acked = prefix .. 'v1:acked',
  dead = prefix .. 'v1:dead',
  started = prefix .. 'v1:migrating',
}
if redis.call('SET', old.started, '1', 'NX') then
  -- Layout 2 reuses these names with other hash fields: set the layout-1 members aside.
  for _, name in ipairs({'leased', 'acked', 'dead'}) do
    if redis.call('EXISTS', keys[name]) == 1 then redis.call('RENAME', keys[name], old[name]) end
  end
end

-- Rewrites delivery `id`'s fields to layout 2 (state and times set by the caller); its
-- received-at and attempt, or nil when the data is gone.
local function rewrite(id)
  local data = delivery_key(id)
  local fields = redis.call('HMGET', data, 'c', 'o', 'k', 'h', 'recv', 'avail', 'err', 'attempt', 'token')
  if not fields[1] then return nil end
  redis.call('HDEL', data, 'c', 'o', 'k', 'h', 'recv', 'avail', 'err')
  redis.call('HSET', data, 'connector', fields[1], 'owner', fields[2], 'key', fields[3], 'body_sha1', fields[4],
             'received_at', fields[5], 'available_at', fields[6], 'last_error', fields[7], 'model', '',
             'resource_id', '', 'updated_at', '', 'trigger', '', 'resource', '', 'ordered', '0')
  return tonumber(fields[5]), tonumber(fields[6]), fields[9]
end

local migrated = 0
for _, id in ipairs(redis.call('ZRANGE', old.pending, 0, batch - 1)) do
  local received_at, available_at, token = rewrite(id)
  if received_at then
    local lease_expiry = redis.call('ZSCORE', old.leased, id)
    if lease_expiry and tonumber(lease_expiry) > now and token ~= '' then
      redis.call('HSET', delivery_key(id), 'state', state.leased, 'available_at', lease_expiry)
      redis.call('ZADD', keys.leased, lease_expiry, id)
    elseif not lease_expiry and available_at > now then
      redis.call('HSET', delivery_key(id), 'state', state.delayed)
      redis.call('ZADD', keys.delayed, available_at, id)
    else
      make_ready(id, lease_expiry and tonumber(lease_expiry) or available_at, received_at)
    end
    migrated = migrated + 1
  end
  redis.call('ZREM', old.pending, id)
  redis.call('ZREM', old.queue, id)
  redis.call('ZREM', old.leased, id)
end
for _, name in ipairs({'acked', 'dead'}) do
  local left = batch - migrated
  if left > 0 then
    for _, id in ipairs(redis.call('ZRANGE', old[name], 0, left - 1)) do
      local received_at = rewrite(id)
      if received_at then
        redis.call('HSET', delivery_key(id), 'state', state[name], 'token', '')
        redis.call('ZADD', keys[name], name == 'acked' and received_at or 0, id)
        migrated = migrated + 1
      end
      redis.call('ZREM', old[name], id)
    end
  end
end
if redis.call('EXISTS', old.pending, old.acked, old.dead) > 0 then return {'more', migrated} end
redis.call('DEL', old.queue, old.leased, old.started)
redis.call('SET', keys.version, new_version)
return {'done', migrated}
