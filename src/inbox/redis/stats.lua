--[[
  stats(): counts per state, at logarithmic cost whatever the backlog: sorted-set counts by
  score and counters the transition scripts maintain, never a walk of the deliveries. It only
  reads, so it answers when Redis is full (maxmemory with noeviction) and never waits for a
  write to the append-only file.

  Deliveries whose retry or lease expiry came but that no lease() has moved to `ready` yet are
  ready: counted by score. For the age of the oldest ready delivery, the first 100 of them by
  due time are read beside the first of `ready_age`; with more due at once it can be younger
  than the truth until lease() moves them (it does 1000 per call).

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  now, microseconds; '' to read the server's clock

  Output:
    {now, ready, leased, delayed, dead, acked, stale, blocked resources, skipped superseded,
     missing, oldest ready received-at or ''}
]]
local now = now_or_server_time(ARGV[1])
local due_sampled = 100

local after_now = '(' .. time_text(now)
local counters = redis.call('HMGET', keys.counts, 'skipped_superseded', 'missing')
local function counter(index) return tonumber(counters[index] or '0') end
-- `ready_age` holds exactly the ready and the waiting deliveries.
local ready = redis.call('ZCARD', keys.ready_age) +
              redis.call('ZCOUNT', keys.delayed, '-inf', now) +
              redis.call('ZCOUNT', keys.leased, '-inf', now)

local oldest = redis.call('ZRANGE', keys.ready_age, 0, 0, 'WITHSCORES')[2]
oldest = oldest and tonumber(oldest)
for _, index in ipairs({keys.delayed, keys.leased}) do
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, due_sampled)) do
    local received_at = redis.call('HGET', delivery_key(id), 'received_at')
    if received_at and (oldest == nil or tonumber(received_at) < oldest) then
      oldest = tonumber(received_at)
    end
  end
end

return {time_text(now), ready, redis.call('ZCOUNT', keys.leased, after_now, '+inf'),
        redis.call('ZCOUNT', keys.delayed, after_now, '+inf'), redis.call('ZCARD', keys.dead),
        redis.call('ZCARD', keys.acked), redis.call('SCARD', keys.stale),
        redis.call('SCARD', keys.blocked), counter(1), counter(2), oldest and time_text(oldest) or ''}
