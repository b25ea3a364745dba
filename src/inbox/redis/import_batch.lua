--[[
  import_batch(): stores deliveries and guards exported from another inbox (`inbox copy`), with their
  ids, states, attempts, leases, dedupe entries, lines and guards, into an empty keyspace.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  deliveries in this call (D)
    ARGV[2]  guards in this call (G)
    ARGV[3]  skipped_superseded counter of the source
    ARGV[4]  retain, microseconds (guards expire `retain` after their last touch)
    ARGV[5]  now, microseconds; '' to read the server's clock
    then D groups of 22: id (16 digits), connector, owner, key, body, arrival stale '0'|'1',
      received_at, state (ready, waiting: ready behind an earlier delivery of its resource,
      leased, delayed, dead, acked), attempt, token,
      available_at, last_error, model, resource_id, updated_at ('' without resource id),
      trigger, ordered '0'|'1', stale at last lease '0'|'1', superseded at last lease, blocking
      '0'|'1', replays, position in its resource
    then G groups of 10: connector, owner, model, resource id, seen updatedAt (20 ordered
      digits, or ''), seen deleted '0'|'1', acked updatedAt (microseconds, or ''), acked
      deleted '0'|'1', acked delivery (16 digits), touched_at (microseconds)

  Output:
    'ok'
]]
local delivery_count, guard_count = tonumber(ARGV[1]), tonumber(ARGV[2])
local skipped, retain = ARGV[3], tonumber(ARGV[4])
local now = now_or_server_time(ARGV[5])
local at = 6

for _ = 1, delivery_count do
  local id, connector, owner, key, body = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
  local arrival_stale, received_at, stored = ARGV[at + 5], ARGV[at + 6], ARGV[at + 7]
  local attempt, token, available_at, last_error = ARGV[at + 8], ARGV[at + 9], ARGV[at + 10], ARGV[at + 11]
  local model, resource_id, updated_at, trigger = ARGV[at + 12], ARGV[at + 13], ARGV[at + 14], ARGV[at + 15]
  local ordered, stale_at_lease, superseded_at_lease = ARGV[at + 16], ARGV[at + 17], ARGV[at + 18]
  local blocking, replays, position = ARGV[at + 19], ARGV[at + 20], ARGV[at + 21]
  at = at + 22
  local resource = resource_id ~= '' and encode(connector, owner, model, resource_id) or ''
  local body_sha1 = redis.sha1hex(body)
  local waiting = stored == 'waiting'
  if waiting then stored = state.ready end
  redis.call('HSET', delivery_key(id), 'connector', connector, 'owner', owner, 'key', key,
             'body', body, 'body_sha1', body_sha1, 'stale', arrival_stale,
             'received_at', received_at, 'state', stored, 'attempt', attempt, 'token', token,
             'available_at', available_at, 'last_error', last_error, 'model', model,
             'resource_id', resource_id, 'updated_at', updated_at, 'trigger', trigger,
             'resource', resource, 'ordered', ordered, 'stale_at_lease', stale_at_lease,
             'superseded_at_lease', superseded_at_lease, 'replays', replays)
  redis.call('SET', idempotency_key(connector, owner, key), id)
  redis.call('ZADD', body_key(connector, owner, body_sha1), 0, id)
  index_delivery(id, connector, owner, model, resource)
  if blocking == '1' then redis.call('SADD', keys.blocked, id) end
  local undone = stored == state.ready or stored == state.leased or stored == state.delayed
  if undone and (stale_at_lease == '1' or arrival_stale == '1') then redis.call('SADD', keys.stale, id) end
  if waiting then
    -- Ready, but waiting behind an earlier delivery of its resource: not in `ready`.
    redis.call('ZADD', keys.ready_age, received_at, id)
  elseif stored == state.ready then
    redis.call('ZADD', keys.ready, available_at, id)
    redis.call('ZADD', keys.ready_age, received_at, id)
  elseif stored == state.leased then
    redis.call('ZADD', keys.leased, available_at, id)
  elseif stored == state.delayed then
    redis.call('ZADD', keys.delayed, available_at, id)
  elseif stored == state.dead then
    redis.call('ZADD', keys.dead, 0, id)
  else
    redis.call('ZADD', keys.acked, received_at, id)
  end
  if undone and resource ~= '' then
    redis.call('ZADD', versions_key(resource), tonumber(updated_at), id)
    if ordered == '1' then
      redis.call('ZADD', line_key(resource), tonumber(position), id)
      redis.call('HSET', keys.resource_of, id, resource)
    end
  end
  if tonumber(redis.call('GET', keys.seq) or '0') < tonumber(id) then
    redis.call('SET', keys.seq, tostring(tonumber(id)))
  end
end

for _ = 1, guard_count do
  local resource = encode(ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3])
  local seen, seen_deleted = ARGV[at + 4], ARGV[at + 5]
  local acked, acked_deleted, acked_delivery = ARGV[at + 6], ARGV[at + 7], ARGV[at + 8]
  local touched = tonumber(ARGV[at + 9])
  at = at + 10
  local ttl = math.floor((touched + retain - now) / 1000)
  if ttl > 0 then
    if seen ~= '' then
      redis.call('SET', arrival_guard_key(resource), seen .. ' ' .. seen_deleted, 'PX', ttl)
    end
    if acked ~= '' then
      redis.call('HSET', acked_guard_key(resource), 'updated_at', acked, 'deleted', acked_deleted,
                 'delivery', acked_delivery)
      redis.call('PEXPIRE', acked_guard_key(resource), ttl)
    end
  end
end
redis.call('HSET', keys.counts, 'skipped_superseded', skipped)
return 'ok'
