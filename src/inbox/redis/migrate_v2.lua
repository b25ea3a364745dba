--[[
  migrate_v2(): layout 2 → 3: adds every delivery to the operator's indexes (`ix:*`), a batch
  of ids per call, then stamps the new version. Safe to repeat (the indexes are sets).

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  cursor: the last id done ('0' at the start)
    ARGV[2]  batch: ids per call
    ARGV[3]  the new layout version

  Output:
    {'more', cursor} | {'done', cursor}
]]
local cursor, batch, new_version = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]

local last = tonumber(redis.call('GET', keys.seq) or '0')
local upto = math.min(last, cursor + batch)
for n = cursor + 1, upto do
  local id = string.format('%016d', n)
  local f = redis.call('HMGET', delivery_key(id), 'connector', 'owner', 'model', 'resource')
  if f[1] then index_delivery(id, f[1], f[2], f[3] or '', f[4] or '') end
end
if upto < last then return {'more', tostring(upto)} end
redis.call('SET', keys.version, new_version)
return {'done', tostring(upto)}
