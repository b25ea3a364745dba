--[[
  stats(): counts per state, at logarithmic cost whatever the backlog: sorted-set counts by
  score and counters the transition scripts maintain, never a walk of the deliveries. A bounded
  batch of deliveries whose time came is made ready first (as lease() does), so that the age
  of the oldest ready delivery sees them.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  now, microseconds; '' to read the server's clock

  Output:
    {now, ready, leased, delayed, dead, acked, stale, blocked resources, skipped superseded,
     missing, oldest ready received-at or ''}
]]
local now = now_or_server_time(ARGV[1])

promote_due(now, 1000)
local after_now = '(' .. time_text(now)
local counters = redis.call('HMGET', keys.counts, 'waiting', 'blocked_resources',
                            'skipped_superseded', 'missing')
local function counter(index) return tonumber(counters[index] or '0') end
-- Due but beyond the batch above: ready too.
local ready = redis.call('ZCARD', keys.ready) + counter(1) +
              redis.call('ZCOUNT', keys.delayed, '-inf', now) +
              redis.call('ZCOUNT', keys.leased, '-inf', now)
local oldest = redis.call('ZRANGE', keys.ready_age, 0, 0, 'WITHSCORES')[2] or ''
return {time_text(now), ready, redis.call('ZCOUNT', keys.leased, after_now, '+inf'),
        redis.call('ZCOUNT', keys.delayed, after_now, '+inf'), redis.call('ZCARD', keys.dead),
        redis.call('ZCARD', keys.acked), redis.call('SCARD', keys.stale), counter(2), counter(3),
        counter(4), oldest}
