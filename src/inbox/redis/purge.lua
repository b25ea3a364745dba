--[[
  purge(): deletes dead letters on purpose, a bounded batch per call, oldest first (by id).

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  before: only letters received before it (microseconds); '' for all
    ARGV[2]  cursor: continue after this id (16 digits); '' from the oldest
    ARGV[3]  batch: dead letters to look at, at most

  Output:
    {deleted, cursor to continue from, '' when every dead letter was looked at}
]]
local before, cursor, batch = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])

local lower = cursor ~= '' and ('(' .. cursor) or '-'
local ids = redis.call('ZRANGEBYLEX', keys.dead, lower, '+', 'LIMIT', 0, batch)
local deleted = 0
for _, id in ipairs(ids) do
  local received_at = redis.call('HGET', delivery_key(id), 'received_at')
  if received_at == false or before == nil or tonumber(received_at) < before then
    forget(id)
    deleted = deleted + 1
  end
end
local next_cursor = ''
if #ids == batch then next_cursor = ids[#ids] end
return {deleted, next_cursor}
