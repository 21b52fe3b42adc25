-- perfkit rate limit check: one atomic call decides, and charges, all limits of a quota.
-- KEYS[1] state: a string (token bucket: MessagePack of last time and levels), a hash (sliding
--         window: s<i>, c<i>, p<i>) or a sorted set (sliding log)
-- KEYS[2] the sliding log's member sequence (passed for the sliding log only)
-- ARGV: algorithm ('t' token bucket | 's' sliding log | 'w' sliding window), cost, mode ('0' charge | '1' dry run | 'r' refund
--       | 'l' lease, token bucket only), time override in ms ('' = Redis TIME; only tests pass one), limit count, then
--       capacity and window-ms per limit, then (refund only) the refunded charge's time in ms, or (lease only) the batch.
-- A lease (LeasingRateLimiter) takes as many whole permits as every limit holds, up to the batch, when that is at
-- least the cost, and charges them all; its reply ends with the number granted (0 when rejected).
-- A refund gives a charge back: a bucket gets the tokens back (up to full), a log loses
-- 'cost' entries scored at the charge's time. It replies with the figures after it.
-- Reply: { allowed (1|0), now-ms, then per limit: the level after the call (token bucket: Java derives remaining,
-- reset-ms and retry-ms from it with Figures.tokenBucket, sparing Redis that arithmetic on every call), or
-- remaining, reset-ms, retry-ms (sliding log and window) }.
-- Levels are integers 'tokens x window-ms' kept below 2^53, so Lua's doubles are exact;
-- LocalRateLimiter runs the same arithmetic (Figures, SlidingLog).
local function floordiv(a, b)
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 end
  if (q + 1) * b <= a then q = q + 1 end
  return q
end

-- Integers as plain digits: Lua would print large ones in exponent notation.
local function str(x)
  return string.format('%d', x)
end

local algorithm = ARGV[1]
local cost = tonumber(ARGV[2])
local refund = ARGV[3] == 'r'
local dry = ARGV[3] == '1'
local lease = ARGV[3] == 'l'
if lease and algorithm ~= 't' then return redis.error_reply('ERR perfkit leases only token buckets') end
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local n = tonumber(ARGV[5])
local caps, windows = {}, {}
local longest, longestText = 0, nil
for i = 1, n do
  caps[i] = tonumber(ARGV[4 + 2 * i])
  windows[i] = tonumber(ARGV[5 + 2 * i])
  if windows[i] > longest then longest, longestText = windows[i], ARGV[5 + 2 * i] end
end
local reply = { 1, now }
local allowed = true

-- Reads a hash; anything else under the key (an operator's stray SET, a corrupt value)
-- is dropped, so the key starts afresh instead of failing every check until it expires.
-- The error reply of the read replaces a TYPE probe on every call.
local function hash(command, ...)
  local ok, stored = pcall(redis.call, command, KEYS[1], ...)
  if ok then return stored end
  redis.call('DEL', KEYS[1])
  return redis.call(command, KEYS[1], ...)
end

if algorithm == 't' then
  -- One string per key: MessagePack of (last time, level 1, ..., level n), so a check is
  -- GET and SET PX (no hash to rebuild into a table, no number formatting: MessagePack
  -- keeps integers below 2^53 exact). Anything unreadable starts the key afresh.
  local last, stored = now, nil
  local ok, raw = pcall(redis.call, 'GET', KEYS[1])
  if ok and raw then
    local values = { pcall(cmsgpack.unpack, raw) }
    if values[1] and #values == n + 2 then
      stored = values
      for j = 2, n + 2 do
        if type(values[j]) ~= 'number' then stored = nil end
      end
    end
  end
  if stored then last = stored[2] end
  local elapsed = now - last
  if elapsed < 0 then elapsed = 0 end
  local levels = {}
  for i = 1, n do
    local full = caps[i] * windows[i]
    local level = full
    if stored then level = math.min(full, stored[i + 2] + math.min(elapsed, windows[i]) * caps[i]) end
    if refund then level = math.min(full, level + cost * windows[i]) end
    levels[i] = level
    if level < cost * windows[i] then allowed = false end
  end
  local take = cost
  if lease then
    take = tonumber(ARGV[6 + 2 * n])
    for i = 1, n do take = math.min(take, floordiv(levels[i], windows[i])) end
    if not allowed then take = 0 end
  end
  for i = 1, n do
    if allowed and not dry and not refund then levels[i] = levels[i] - take * windows[i] end
    reply[#reply + 1] = levels[i]
  end
  -- A rejection changes nothing worth writing: refill is linear and capped, so the stored
  -- (time, level) gives the same level at any later time as one refreshed now would.
  if not dry and (allowed or refund) then
    redis.call('SET', KEYS[1], cmsgpack.pack(now, unpack(levels)), 'PX', longestText)
  end
  if lease then reply[#reply + 1] = take end
elseif algorithm == 'w' then
  -- Sliding-window counter: per limit s<i> = start of the current fixed window,
  -- c<i> = its count, p<i> = the previous window's count. Mirrors SlidingWindow and
  -- Figures.slidingWindow.
  local names = {}
  for i = 1, n do
    names[#names + 1] = 's' .. i
    names[#names + 1] = 'c' .. i
    names[#names + 1] = 'p' .. i
  end
  local stored = hash('HMGET', unpack(names))
  local starts, currents, previouses = {}, {}, {}
  for i = 1, n do
    local w = windows[i]
    local start = floordiv(now, w) * w
    local s = tonumber(stored[3 * i - 2])
    local c = tonumber(stored[3 * i - 1]) or 0
    local p = tonumber(stored[3 * i]) or 0
    if s == nil or start - w > s then
      c, p = 0, 0
    elseif start - w == s then
      c, p = 0, c
    elseif start < s then
      start = s
    end
    if refund then
      local at = tonumber(ARGV[6 + 2 * n])
      local charged = floordiv(at, w) * w
      if charged == start then c = math.max(0, c - cost)
      elseif charged == start - w then p = math.max(0, p - cost) end
    end
    starts[i], currents[i], previouses[i] = start, c, p
    if p * (w - (now - start)) + (c + cost) * w > caps[i] * w then allowed = false end
  end
  local charge = allowed and not dry and not refund
  local update = {}
  for i = 1, n do
    local w = windows[i]
    if charge then currents[i] = currents[i] + cost end
    local c, p, e = currents[i], previouses[i], now - starts[i]
    update[#update + 1] = 's' .. i
    update[#update + 1] = str(starts[i])
    update[#update + 1] = 'c' .. i
    update[#update + 1] = str(c)
    update[#update + 1] = 'p' .. i
    update[#update + 1] = str(p)
    local free = caps[i] * w - p * (w - e) - c * w
    local remaining = floordiv(free, w)
    if remaining < 0 then remaining = 0 end
    local reset = 0
    if c > 0 then reset = 2 * w - e elseif p > 0 then reset = w - e end
    local retry = -1
    local room = caps[i] - cost - c
    if room >= 0 then
      local at = 0
      if p > 0 then at = w - floordiv(room * w, p) end
      if at < w then
        retry = at - e
        if retry < 0 then retry = 0 end
      end
    end
    if retry < 0 then
      local at = 0
      if c > 0 then at = w - floordiv((caps[i] - cost) * w, c) end
      if at < 0 then at = 0 end
      if at > w then at = w end
      retry = (w - e) + at
    end
    reply[#reply + 1] = remaining
    reply[#reply + 1] = reset
    reply[#reply + 1] = retry
  end
  if not dry then
    redis.call('HSET', KEYS[1], unpack(update))
    redis.call('PEXPIRE', KEYS[1], str(2 * longest))
  end
else
  -- The error reply of the first command replaces a TYPE probe on every call.
  if not pcall(redis.call, 'ZREMRANGEBYSCORE', KEYS[1], '-inf', str(now - longest)) then
    redis.call('DEL', KEYS[1])
  end
  if refund then
    local at = ARGV[6 + 2 * n]
    local gone = redis.call('ZRANGEBYSCORE', KEYS[1], at, at, 'LIMIT', 0, cost)
    if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)) end
    dry = true
  end
  local counts = {}
  for i = 1, n do
    counts[i] = redis.call('ZCOUNT', KEYS[1], '(' .. str(now - windows[i]), '+inf')
    if counts[i] + cost > caps[i] then allowed = false end
  end
  local charged = allowed and not dry
  if charged then
    local ok, last = pcall(redis.call, 'INCRBY', KEYS[2], cost)
    if not ok then
      redis.call('DEL', KEYS[2])
      last = redis.call('INCRBY', KEYS[2], cost)
    end
    for j = 1, cost do
      redis.call('ZADD', KEYS[1], str(now), str(last - cost + j))
    end
    redis.call('PEXPIRE', KEYS[1], str(longest))
    redis.call('PEXPIRE', KEYS[2], str(longest))
  end
  local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
  if newest ~= nil then newest = tonumber(newest) end
  for i = 1, n do
    local remaining = caps[i] - counts[i]
    if charged then remaining = remaining - cost end
    if remaining < 0 then remaining = 0 end
    local reset = 0
    if newest ~= nil and newest > now - windows[i] then reset = newest + windows[i] - now end
    local retry = 0
    if counts[i] + cost > caps[i] then
      local entry = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. str(now - windows[i]), '+inf', 'WITHSCORES',
        'LIMIT', counts[i] + cost - caps[i] - 1, 1)
      retry = tonumber(entry[2]) + windows[i] - now
    end
    reply[#reply + 1] = remaining
    reply[#reply + 1] = reset
    reply[#reply + 1] = retry
  end
end
if not allowed then reply[1] = 0 end
return reply
