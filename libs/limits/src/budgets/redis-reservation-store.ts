import type { Redis } from 'ioredis';
import { USD_EPSILON, type ReservationStore } from './reservation-store';

/**
 * Holds a reservation against every budget key or none, atomically. KEYS: one hash per budget period (field:
 * reservation id, value: `<usd>:<expiresAtMs>`). ARGV: now, id, amount, expiresAt, epsilon, then per key its headroom
 * and its key expiry (ms). Expired fields are dropped as they are read. Returns 0 when held, else the 1-based index of
 * the refusing key and the USD reserved in it.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[3])
local epsilon = tonumber(ARGV[5])
for i, key in ipairs(KEYS) do
  local headroom = tonumber(ARGV[4 + 2 * i])
  local sum = 0
  local fields = redis.call('HGETALL', key)
  for j = 1, #fields, 2 do
    local value = fields[j + 1]
    local sep = string.find(value, ':', 1, true)
    local expires = tonumber(string.sub(value, sep + 1))
    if expires <= now then
      redis.call('HDEL', key, fields[j])
    else
      sum = sum + tonumber(string.sub(value, 1, sep - 1))
    end
  end
  if sum >= headroom - epsilon or sum + amount > headroom + epsilon then
    return {i, tostring(sum)}
  end
end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, ARGV[2], ARGV[3] .. ':' .. ARGV[4])
  redis.call('PEXPIRE', key, ARGV[5 + 2 * i])
end
return {0, '0'}
`;

/** Sums a budget key's live reservations, dropping expired ones. KEYS[1]: the hash; ARGV[1]: now. */
const RESERVED = `
local now = tonumber(ARGV[1])
local sum = 0
local fields = redis.call('HGETALL', KEYS[1])
for j = 1, #fields, 2 do
  local value = fields[j + 1]
  local sep = string.find(value, ':', 1, true)
  if tonumber(string.sub(value, sep + 1)) <= now then
    redis.call('HDEL', KEYS[1], fields[j])
  else
    sum = sum + tonumber(string.sub(value, 1, sep - 1))
  end
end
return tostring(sum)
`;

/** Options of createRedisReservationStore: the client the runtime created and NAVPLANE_REDIS_PREFIX. */
export interface RedisReservationOptions {
  readonly client: Redis;
  /** Every key starts with it, then `budget:` (default prefix `navplane:`). */
  readonly prefix: string;
}

const isReply = (value: unknown): value is [number, string] =>
  Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string';

/**
 * Reservations shared by every instance through Redis (NAVPLANE_REDIS_URL): one hash per budget period under
 * `<prefix>budget:<orgId>|<scopeKey>|<period>|<start>`, changed only by Lua scripts (atomic), expiring a minute after
 * the period ends.
 */
export function createRedisReservationStore({ client, prefix }: RedisReservationOptions): ReservationStore {
  const redisKey = (key: string) => `${prefix}budget:${key}`;
  return {
    async reserve(targets, id, amountUsd, nowMs, expiresAtMs) {
      const argv: (string | number)[] = [nowMs, id, amountUsd, expiresAtMs, USD_EPSILON];
      for (const target of targets) argv.push(target.headroomUsd, Math.max(1000, target.periodEndMs + 60_000 - nowMs));
      const reply: unknown = await client.eval(RESERVE, targets.length, ...targets.map((target) => redisKey(target.key)), ...argv);
      if (!isReply(reply)) throw new Error('unexpected reply from the budget reservation script');
      return reply[0] === 0 ? { ok: true } : { ok: false, index: reply[0] - 1, reservedUsd: Number(reply[1]) };
    },
    async release(keys, id) {
      if (keys.length === 0) return;
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.hdel(redisKey(key), id);
      await pipeline.exec();
    },
    async reserved(key, nowMs) {
      const reply: unknown = await client.eval(RESERVED, 1, redisKey(key), nowMs);
      return Number(reply);
    },
  };
}
