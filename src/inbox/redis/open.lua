--[[
  open(): which layout the keyspace has. A fresh keyspace is stamped with this version; one
  written by the previous version (6c9bbc7: no version key, deliveries under `seq`) must be
  migrated (migrate_v1.lua) before anything else runs on it.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  the layout version this code reads and writes

  Output:
    {'current', version} | {'migrate', '1'} | {'newer', version found}
]]
local this_version = ARGV[1]

local found = redis.call('GET', keys.version)
if found == this_version then return {'current', found} end
if found then
  if tonumber(found) > tonumber(this_version) then return {'newer', found} end
  return {'migrate', found}
end
if redis.call('EXISTS', keys.seq) == 1 then return {'migrate', '1'} end
redis.call('SET', keys.version, this_version)
return {'current', this_version}
