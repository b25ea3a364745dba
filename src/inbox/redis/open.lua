--[[
  open(): which layout the keyspace has. A fresh keyspace is stamped with this version; one
  written by the previous version (6c9bbc7: no version key, deliveries under `seq`) must be
  migrated (migrate_v1.lua) before anything else runs on it.

  A keyspace without a version key but with deliveries is judged by a delivery's hash: layout 1
  names its fields `c`, `o`, `k`...; layout 2 `connector`, `owner`, `key`... So a layout-2
  keyspace that lost its version key (a FLUSHALL under a running process, an eviction) is
  stamped again, never "migrated" into pieces.

  Input:
    KEYS[1]  mw:{NAME}:seq
    ARGV[1]  the layout version this code reads and writes

  Output:
    {'current', version} | {'migrate', version found} | {'restamp', version} (deliveries of
    layout 2 or later without a version key) | {'newer', version found}
]]
local this_version = ARGV[1]

local found = redis.call('GET', keys.version)
if found == this_version then return {'current', found} end
if found then
  if tonumber(found) > tonumber(this_version) then return {'newer', found} end
  return {'migrate', found}
end
if redis.call('EXISTS', keys.seq) == 1 then
  -- Any delivery tells the layout: the indexes of both layouts, layout 1's first.
  for _, index in ipairs({'pending', 'acked', 'dead', 'leased', 'queue', 'ready', 'delayed'}) do
    local id = redis.call('ZRANGE', prefix .. index, 0, 0)[1]
    if id then
      local data = delivery_key(id)
      if redis.call('HEXISTS', data, 'c') == 1 then return {'migrate', '1'} end
      -- Layout 2 or later that lost its version key: its operator's indexes may be missing
      -- too; the caller rebuilds them (idempotent) and stamps the version.
      if redis.call('HEXISTS', data, 'connector') == 1 then return {'restamp', this_version} end
    end
  end
end
redis.call('SET', keys.version, this_version)
return {'current', this_version}
