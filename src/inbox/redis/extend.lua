--[[
  extend(): a valid lease runs until now + duration. The lease is checked as ack() checks it.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  id (16 digits)
    ARGV[2]  lease token
    ARGV[3]  duration, microseconds
    ARGV[4]  now, microseconds; '' to read the server's clock

  Output:
    {'ok', new expiry}, or the refusal as ack() returns it
]]
local id, token = ARGV[1], ARGV[2]
local duration = tonumber(ARGV[3])
local now = now_or_server_time(ARGV[4])

local refusal = check_lease(id, token, now)
if refusal then return refusal end
local expires_at = now + duration
redis.call('HSET', delivery_key(id), 'available_at', time_text(expires_at))
redis.call('ZADD', keys.leased, expires_at, id)
return {'ok', time_text(expires_at)}
