--[[
  dead_letters(): the first `max count` dead letters, oldest first (by id): one range of the
  `dead` index and one read per letter, whatever the backlog.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  max count

  Output:
    {dead letter...}, each {id, attempts, stale of its last lease '0'|'1', received_at,
     connector, owner, key, last_error, model, resource_id, updated_at, trigger}
     (a letter whose data is missing is left out)
]]
local max_count = tonumber(ARGV[1])

local letters = {}
for _, id in ipairs(redis.call('ZRANGE', keys.dead, 0, max_count - 1)) do
  local fields = redis.call('HMGET', delivery_key(id), 'attempt', 'stale_at_lease', 'stale',
                            'received_at', 'connector', 'owner', 'key', 'last_error', 'model',
                            'resource_id', 'updated_at', 'trigger')
  if fields[5] then
    letters[#letters + 1] = {id, fields[1], fields[2] or fields[3], fields[4], fields[5],
                             fields[6], fields[7], fields[8], fields[9], fields[10], fields[11],
                             fields[12]}
  end
end
return letters
