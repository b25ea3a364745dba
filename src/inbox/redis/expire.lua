--[[
  expire(): forgets one batch of acked deliveries received before now - retain (their data,
  their dedupe entries, their place among their resource's versions). The caller repeats it
  until a batch comes back short, so no call blocks Redis for long.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  retain, microseconds
    ARGV[2]  batch size
    ARGV[3]  now, microseconds; '' to read the server's clock

  Output:
    how many deliveries were removed
]]
local retain = tonumber(ARGV[1])
local batch = tonumber(ARGV[2])
local now = now_or_server_time(ARGV[3])

local expired = redis.call('ZRANGEBYSCORE', keys.acked, '-inf', '(' .. time_text(now - retain), 'LIMIT', 0, batch)
for _, id in ipairs(expired) do forget(id) end
return #expired
