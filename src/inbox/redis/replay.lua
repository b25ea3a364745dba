--[[
  replay(): an operator's explicit decision: acked or dead deliveries become ready again, at the
  back of their resource's line, with their attempts reset and `replays` incremented (lease()
  never judges a replayed delivery stale or superseded). Ids that are neither acked nor dead
  (any more) are left alone.

  Input:
    KEYS[1]   mw:{NAME}:seq
    ARGV[1]   ordered: '1' to put each at the back of its resource's line
    ARGV[2]   now, microseconds; '' to read the server's clock
    ARGV[3..] ids (16 digits), oldest first

  Output:
    how many were replayed
]]
local ordered = ARGV[1] == '1'
local now = now_or_server_time(ARGV[2])

local replayed = 0
for index = 3, #ARGV do
  local id = ARGV[index]
  local data = delivery_key(id)
  local fields = redis.call('HMGET', data, 'state', 'received_at', 'resource', 'updated_at')
  if fields[1] == state.acked or fields[1] == state.dead then
    local received_at, resource = tonumber(fields[2]), fields[3] or ''
    redis.call('ZREM', keys.acked, id)
    redis.call('ZREM', keys.dead, id)
    redis.call('SREM', keys.stale, id)
    redis.call('HSET', data, 'attempt', '0', 'token', '', 'stale_at_lease', '0',
               'superseded_at_lease', '0', 'ordered', ordered and '1' or '0')
    redis.call('HINCRBY', data, 'replays', 1)
    make_ready_again(id, resource, tonumber(fields[4]), ordered, now, received_at)
    replayed = replayed + 1
  end
end
return replayed
