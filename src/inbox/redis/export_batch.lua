--[[
  export_batch(): one batch of deliveries exactly as stored, by id, for copying the inbox
  (`inbox copy`). The guards (r:, a:) are read by the caller with SCAN.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  after: the last id exported ('0' at the start)
    ARGV[2]  batch: ids to look at

  Output:
    {{delivery...}, last id looked at, '1' when ids are left}, each delivery
    {id, connector, owner, key, body, arrival stale, received_at, state ('waiting' for a ready
     one behind an earlier delivery of its resource), attempt, token,
     available_at, last_error, model, resource_id, updated_at, trigger, ordered,
     stale_at_lease, superseded_at_lease, blocking (member of `blocked`), replays, position in
     its line or ''}
]]
local after, batch = tonumber(ARGV[1]), tonumber(ARGV[2])

local last = tonumber(redis.call('GET', keys.seq) or '0')
local upto = math.min(last, after + batch)
local rows = {}
for n = after + 1, upto do
  local id = string.format('%016d', n)
  local f = redis.call('HMGET', delivery_key(id), 'connector', 'owner', 'key', 'body', 'stale',
                       'received_at', 'state', 'attempt', 'token', 'available_at', 'last_error',
                       'model', 'resource_id', 'updated_at', 'trigger', 'ordered',
                       'stale_at_lease', 'superseded_at_lease', 'blocking', 'replays', 'resource')
  if f[1] then
    local position = ''
    if f[21] and f[21] ~= '' then position = redis.call('ZSCORE', line_key(f[21]), id) or '' end
    local row = {id}
    for index = 1, 20 do row[#row + 1] = f[index] or '' end
    row[20] = redis.call('SISMEMBER', keys.blocked, id) == 1 and '1' or '0'  -- blocking
    if f[7] == state.ready and redis.call('ZSCORE', keys.ready, id) == false then
      row[8] = 'waiting'  -- ready behind an earlier delivery of its resource
    end
    row[#row + 1] = position
    rows[#rows + 1] = row
  end
end
return {rows, tostring(upto), upto < last and '1' or '0'}
