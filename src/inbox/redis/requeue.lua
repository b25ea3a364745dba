--[[
  requeue(): a dead letter is ready again with its attempts reset, at the back of its
  resource's line (judged again when it is leased).

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  id (16 digits)
    ARGV[2]  ordered: '1' to put it at the back of its resource's line
    ARGV[3]  now, microseconds; '' to read the server's clock

  Output:
    'ok', or 'missing' when the id is not a dead letter
]]
local id = ARGV[1]
local ordered = ARGV[2] == '1'
local now = now_or_server_time(ARGV[3])

local data = delivery_key(id)
local fields = redis.call('HMGET', data, 'state', 'received_at', 'resource', 'updated_at')
if fields[1] ~= state.dead then return 'missing' end
local received_at, resource = tonumber(fields[2]), fields[3]
redis.call('ZREM', keys.dead, id)
redis.call('HSET', data, 'attempt', '0', 'token', '', 'ordered', ordered and '1' or '0')
make_ready_again(id, resource, tonumber(fields[4]), ordered, now, received_at)
return 'ok'
