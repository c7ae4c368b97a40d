import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by its SHA1 (EVALSHA), sent whole only when the server does not hold it yet (NOSCRIPT). */
export interface RedisScript {
  readonly lua: string;
  readonly sha: string;
}

/** A script with its SHA1. */
export function redisScript(lua: string): RedisScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** Runs `script` on `keys` and `args`: EVALSHA, then EVAL once if the server has not cached it (after a restart). */
export async function runScript(
  client: Redis,
  script: RedisScript,
  keys: readonly string[],
  args: ReadonlyArray<string | number>,
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.eval(script.lua, keys.length, ...keys, ...args);
    throw error;
  }
}

// The window of the Lua scripts below matches counter-store.ts: 60 buckets of 1 s, the server's clock (TIME), so every
// instance counts on one clock whatever its own says.
const WINDOW_FUNCTIONS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local current = math.floor(now / 1000)
local oldest = current - 59

local function window(key)
  local flat = redis.call('HGETALL', key)
  local buckets, stale, used, newest = {}, {}, 0, nil
  for i = 1, #flat, 2 do
    local bucket, amount = tonumber(flat[i]), tonumber(flat[i + 1])
    if bucket < oldest then
      stale[#stale + 1] = flat[i]
    else
      used = used + amount
      buckets[#buckets + 1] = { bucket, amount }
      if newest == nil or bucket > newest then newest = bucket end
    end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  table.sort(buckets, function(a, b) return a[1] < b[1] end)
  return used, buckets, newest
end

local function untilRoom(buckets, used, limit)
  local toDrop = used - limit + 1
  for _, entry in ipairs(buckets) do
    toDrop = toDrop - entry[2]
    if toDrop <= 0 then return math.max(1, (entry[1] + 60) * 1000 - now) end
  end
  return 60000
end
`;

/**
 * Admission, all or nothing. KEYS: per scope its requests hash, tokens hash and leases sorted set. ARGV: the lease id,
 * the lease TTL in ms, then per scope rpm, tpm, concurrency (0: not limited). Answers `{0, scope index, limit, retry ms}`
 * when a limit is full (nothing counted), else `{1, now, then per scope: requests remaining, requests reset ms, tokens
 * remaining, tokens reset ms}` (-1 where the scope has no such limit).
 */
export const ADMIT_SCRIPT = redisScript(`${WINDOW_FUNCTIONS}
local leaseId, ttl = ARGV[1], tonumber(ARGV[2])
local scopes = #KEYS / 3
local reads = {}
for i = 1, scopes do
  local rpm, tpm, concurrency = tonumber(ARGV[i * 3]), tonumber(ARGV[i * 3 + 1]), tonumber(ARGV[i * 3 + 2])
  local read = {}
  if rpm > 0 then
    local used, buckets = window(KEYS[i * 3 - 2])
    if used >= rpm then return { 0, i, 'rpm', untilRoom(buckets, used, rpm) } end
    read.requests = used
  end
  if tpm > 0 then
    local used, buckets, newest = window(KEYS[i * 3 - 1])
    if used >= tpm then return { 0, i, 'tpm', untilRoom(buckets, used, tpm) } end
    read.tokens = used
    read.tokensNewest = newest
  end
  if concurrency > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i * 3], '-inf', now)
    if redis.call('ZCARD', KEYS[i * 3]) >= concurrency then return { 0, i, 'concurrency', 1000 } end
  end
  reads[i] = read
end
local out = { 1, now }
for i = 1, scopes do
  local rpm, tpm, concurrency = tonumber(ARGV[i * 3]), tonumber(ARGV[i * 3 + 1]), tonumber(ARGV[i * 3 + 2])
  local read = reads[i]
  if rpm > 0 then
    redis.call('HINCRBY', KEYS[i * 3 - 2], current, 1)
    redis.call('PEXPIRE', KEYS[i * 3 - 2], 61000)
    out[#out + 1] = rpm - read.requests - 1
    out[#out + 1] = (current + 60) * 1000 - now
  else
    out[#out + 1] = -1
    out[#out + 1] = -1
  end
  if tpm > 0 then
    out[#out + 1] = math.max(0, tpm - read.tokens)
    if read.tokensNewest == nil then out[#out + 1] = 0 else out[#out + 1] = (read.tokensNewest + 60) * 1000 - now end
  else
    out[#out + 1] = -1
    out[#out + 1] = -1
  end
  if concurrency > 0 then
    redis.call('ZADD', KEYS[i * 3], now + ttl, leaseId)
    redis.call('PEXPIRE', KEYS[i * 3], ttl + 1000)
  end
end
return out
`);

/**
 * Release. KEYS: per scope its tokens hash and leases sorted set. ARGV: the lease id, the tokens, then per scope
 * 1/0 (has a tpm), 1/0 (has a concurrency limit).
 */
export const RELEASE_SCRIPT = redisScript(`
local t = redis.call('TIME')
local current = tonumber(t[1])
local leaseId, tokens = ARGV[1], tonumber(ARGV[2])
for i = 1, #KEYS / 2 do
  if ARGV[i * 2 + 1] == '1' and tokens > 0 then
    redis.call('HINCRBY', KEYS[i * 2 - 1], current, tokens)
    redis.call('PEXPIRE', KEYS[i * 2 - 1], 61000)
  end
  if ARGV[i * 2 + 2] == '1' then redis.call('ZREM', KEYS[i * 2], leaseId) end
end
return 1
`);

/**
 * Renewal of live leases (their instance is alive): KEYS the leases sets, ARGV the TTL in ms then the lease id of each
 * key. A lease already gone (released, expired) is not brought back (ZADD XX).
 */
export const RENEW_SCRIPT = redisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ttl + 1000)
end
return 1
`);
