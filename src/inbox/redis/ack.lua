--[[
  ack(): a leased delivery is done. The lease is checked against the server's state: the token
  must be the delivery's current one (a reclaimed lease has none) and unexpired.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  id (16 digits)
    ARGV[2]  lease token
    ARGV[3]  now, microseconds; '' to read the server's clock
    ARGV[4]  retain, microseconds (the lifetime of the resource's acked guard)

  Output:
    'ok', or the refusal: 'missing' | 'acked' | 'dead' | 'wrong_token' | 'expired'
]]
local id, token = ARGV[1], ARGV[2]
local now = now_or_server_time(ARGV[3])
local retain = tonumber(ARGV[4])

local refusal, lease = check_lease(id, token, now)
if refusal then return refusal end
local data = delivery_key(id)
redis.call('HSET', data, 'state', state.acked, 'token', '')
redis.call('ZREM', keys.leased, id)
redis.call('SREM', keys.stale, id)
redis.call('ZADD', keys.acked, lease.received_at, id)
set_blocking(id, false)
if lease.resource ~= '' then
  -- What the workers processed, for the verdicts of later leases: the acked guard keeps the
  -- newest acked updatedAt; on a tie, a deletion and the later delivery win.
  local fields = redis.call('HMGET', data, 'updated_at', 'trigger')
  local updated_at = tonumber(fields[1])
  local deleted = fields[2] == 'deleted' and '1' or '0'
  local guard = acked_guard_key(lease.resource)
  local acked = redis.call('HMGET', guard, 'updated_at', 'deleted', 'delivery')
  if not acked[1] or updated_at > tonumber(acked[1]) then
    redis.call('HSET', guard, 'updated_at', time_text(updated_at), 'deleted', deleted, 'delivery', id)
  elseif updated_at == tonumber(acked[1]) then
    if deleted == '1' then redis.call('HSET', guard, 'deleted', '1') end
    if id > acked[3] then redis.call('HSET', guard, 'delivery', id) end
  end
  redis.call('PEXPIRE', guard, math.max(1, math.floor(retain / 1000)))
  redis.call('ZREM', versions_key(lease.resource), id)
  leave_line(id, lease.resource)
end
return 'ok'
