--[[
  fail(): gives a leased delivery back for a retry after a delay, or makes it dead on its last
  counted attempt. A failed delivery that heads its resource's line blocks the resource until
  it is acked or dead. The lease is checked as ack() checks it.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  id (16 digits)
    ARGV[2]  lease token
    ARGV[3]  reason (the last error)
    ARGV[4]  max attempts
    ARGV[5]  counts as an attempt: '1', or '0' (the attempt is given back, never dead)
    ARGV[6]  explicit delay, microseconds; '' for the backoff below
    ARGV[7]  now, microseconds; '' to read the server's clock
    ARGV[8..] the backoff after attempt 1, 2, ... in microseconds (the last one repeats)

  Output:
    {'retry', retry at} | {'dead', ''}, or the refusal as ack() returns it
]]
local id, token, reason = ARGV[1], ARGV[2], ARGV[3]
local max_attempts = tonumber(ARGV[4])
local counts_as_attempt = ARGV[5] == '1'
local explicit_delay = ARGV[6]
local now = now_or_server_time(ARGV[7])
local first_backoff = 8

local refusal, lease = check_lease(id, token, now)
if refusal then return refusal end
local data = delivery_key(id)
if counts_as_attempt and lease.attempt >= max_attempts then
  make_dead(id, reason, lease.resource)
  return {'dead', ''}
end
local delay
if explicit_delay ~= '' then
  delay = tonumber(explicit_delay)
else
  -- The backoff after this attempt; the last one given repeats.
  local backoff_count = #ARGV - first_backoff + 1
  local backoff_index = math.min(math.max(lease.attempt, 1), backoff_count)
  delay = tonumber(ARGV[first_backoff + backoff_index - 1])
end
local retry_at = now + delay
redis.call('HSET', data, 'state', state.delayed, 'token', '', 'last_error', reason,
           'available_at', time_text(retry_at))
if not counts_as_attempt then redis.call('HINCRBY', data, 'attempt', -1) end
redis.call('ZREM', keys.leased, id)
redis.call('ZADD', keys.delayed, retry_at, id)
set_blocking(id, true)
return {'retry', time_text(retry_at)}
