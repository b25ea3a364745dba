--[[
  get(): every field of one delivery, for an operator (`inbox show`, the console).

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  id (16 digits)
    ARGV[2]  now, microseconds; '' to read the server's clock

  Output:
    'missing', or the record (record_of() in common.lua) followed by the body
]]
local id = ARGV[1]
local now = now_or_server_time(ARGV[2])

local record = record_of(id, now)
if record == nil then return 'missing' end
record[#record + 1] = redis.call('HGET', delivery_key(id), 'body') or ''
return record
