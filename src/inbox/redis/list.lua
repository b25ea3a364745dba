--[[
  list(): deliveries matching a filter, newest first, from the most selective index the filter
  names: the resource, the model, the connector, the owner (`ix:*`), the dead letters, the acked
  deliveries (by received-at, the id order); else ids downward from the newest. At most `budget` deliveries are looked at per call: the caller
  continues from the cursor returned, so no call blocks Redis for long.

  Input:
    KEYS[1]   mw:{NAME}:seq
    ARGV[1]   limit: rows to return
    ARGV[2]   before: look only at ids below it (16 digits); '' for the newest
    ARGV[3]   budget: deliveries to look at, at most
    ARGV[4]   state: a DeliveryState name, 'replayable' (acked or dead), or '' for any
    ARGV[5]   connector id, or ''
    ARGV[6]   owner id, or ''
    ARGV[7]   model, or ''
    ARGV[8]   resource id (data.id), or ''
    ARGV[9]   since: received at or after (microseconds), or ''
    ARGV[10]  until: received before (microseconds), or ''
    ARGV[11]  stale: '1' for deliveries whose last verdict is stale only
    ARGV[12]  now, microseconds; '' to read the server's clock

  Output:
    {{record...}, cursor} with each record as record_of() (common.lua); cursor: the id to pass
    as `before` to continue, '' when nothing older is left to look at
]]
local limit, before, budget = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local wanted_state, connector, owner, model, resource_id = ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local since, until_time = tonumber(ARGV[9]), tonumber(ARGV[10])
local stale_only = ARGV[11] == '1'
local now = now_or_server_time(ARGV[12])

local function matches(r)
  if wanted_state == 'replayable' then
    if r[2] ~= state.acked and r[2] ~= state.dead then return false end
  elseif wanted_state ~= '' and r[2] ~= wanted_state then
    return false
  end
  if connector ~= '' and r[12] ~= connector then return false end
  if owner ~= '' and r[13] ~= owner then return false end
  if model ~= '' and r[15] ~= model then return false end
  if resource_id ~= '' and r[16] ~= resource_id then return false end
  local received = tonumber(r[10])
  if since and received < since then return false end
  if until_time and received >= until_time then return false end
  if stale_only and r[4] ~= '1' then return false end
  return true
end

-- The source: a sorted set of ids (score 0, read by lex range), or nil for the id walk.
local source = nil
if connector ~= '' and owner ~= '' and model ~= '' and resource_id ~= '' then
  source = resource_index_key(encode(connector, owner, model, resource_id))
elseif model ~= '' then
  source = model_index_key(model)
elseif connector ~= '' then
  source = connector_index_key(connector)
elseif owner ~= '' then
  source = owner_index_key(owner)
elseif wanted_state == state.dead then
  source = keys.dead
end
-- Acked deliveries alone: `acked` by received-at, which is the id order (one clock, the
-- server's; ties order by id), read newest first from the cursor's own received-at.
local by_time = nil
if source == nil and wanted_state == state.acked then
  if before == '' then
    by_time = '+inf'
  else
    by_time = redis.call('HGET', delivery_key(before), 'received_at') or nil
  end
end

local rows, looked, cursor = {}, 0, ''
-- Looks at `id`; false when the call must stop (the page is full, or the budget is spent).
local function visit(id)
  looked = looked + 1
  local r = record_of(id, now)
  if r ~= nil and matches(r) then
    if #rows == limit then
      cursor = rows[#rows][1]  -- one more matches: there is a next page
      return false
    end
    rows[#rows + 1] = r
  end
  if looked >= budget then
    cursor = id
    return false
  end
  return true
end

if by_time ~= nil then
  local offset, stop = 0, false
  while not stop do
    local ids = redis.call('ZREVRANGEBYSCORE', keys.acked, by_time, '-inf', 'LIMIT', offset, 100)
    for _, id in ipairs(ids) do
      if before == '' or id < before then
        if not visit(id) then
          stop = true
          break
        end
      end
    end
    if #ids < 100 then break end
    offset = offset + 100
  end
elseif source == nil then
  local top = tonumber(redis.call('GET', keys.seq) or '0')
  if before ~= '' then top = math.min(top, tonumber(before) - 1) end
  for n = top, 1, -1 do
    if not visit(string.format('%016d', n)) then break end
  end
else
  local upper = before ~= '' and ('(' .. before) or '+'
  local stop = false
  while not stop do
    local ids = redis.call('ZREVRANGEBYLEX', source, upper, '-', 'LIMIT', 0, 100)
    for _, id in ipairs(ids) do
      if not visit(id) then
        stop = true
        break
      end
    end
    if #ids < 100 then break end
    upper = '(' .. ids[#ids]
  end
end
return {rows, cursor}
