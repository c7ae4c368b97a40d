import type { Redis } from 'ioredis';
import { redisScript, runScript } from '../counters/redis-scripts';
import { USD_EPSILON, type ReservationStore } from './reservation-store';

/**
 * One hash per budget period. Field `settled`: the period's settled spend as of the last settlement of any instance —
 * raised to the database's total by every reservation (the figure its instance read) and every release (the total right
 * after that request's settlement was written), never lowered. Every other field is a live reservation (field: reservation id, value:
 * `<usd>:<expiresAtMs>`); expired ones are dropped as they are read.
 */

/**
 * Holds a reservation against every budget key or none, atomically. ARGV: now, id, amount, expiresAt, epsilon, then per
 * key its budget, the settled spend this instance read from the database, and its key expiry (ms). A key's spend is the
 * larger of its `settled` field and the database's figure (the field is exact while Redis keeps it; the database covers
 * a Redis that lost it). Returns 0 when held, else the 1-based index of the refusing key and the USD reserved in it.
 */
const RESERVE = redisScript(`
local now = tonumber(ARGV[1])
local amount = tonumber(ARGV[3])
local epsilon = tonumber(ARGV[5])
for i, key in ipairs(KEYS) do
  local budget = tonumber(ARGV[3 + 3 * i])
  local spent = tonumber(ARGV[4 + 3 * i])
  local sum = 0
  local fields = redis.call('HGETALL', key)
  for j = 1, #fields, 2 do
    local field = fields[j]
    local value = fields[j + 1]
    if field == 'settled' then
      local settled = tonumber(value)
      if settled > spent then spent = settled end
    else
      local sep = string.find(value, ':', 1, true)
      local expires = tonumber(string.sub(value, sep + 1))
      if expires <= now then
        redis.call('HDEL', key, field)
      else
        sum = sum + tonumber(string.sub(value, 1, sep - 1))
      end
    end
  end
  local headroom = budget - spent
  if sum >= headroom - epsilon or sum + amount > headroom + epsilon then
    return {i, tostring(sum)}
  end
end
for i, key in ipairs(KEYS) do
  local spent = tonumber(ARGV[4 + 3 * i])
  local settled = tonumber(redis.call('HGET', key, 'settled') or '-1')
  if settled < spent then redis.call('HSET', key, 'settled', ARGV[4 + 3 * i]) end
  redis.call('HSET', key, ARGV[2], ARGV[3] .. ':' .. ARGV[4])
  redis.call('PEXPIRE', key, ARGV[5 + 3 * i])
end
return {0, '0'}
`);

/**
 * Drops reservation ARGV[1] from every key and raises each key's `settled` to the database total ARGV[1 + i] (when not
 * empty): the larger figure stays, so a total already seeded by a reservation is never counted twice.
 */
const RELEASE = redisScript(`
for i, key in ipairs(KEYS) do
  redis.call('HDEL', key, ARGV[1])
  local total = ARGV[1 + i]
  if total ~= '' and redis.call('EXISTS', key) == 1 then
    local settled = tonumber(redis.call('HGET', key, 'settled') or '0')
    if tonumber(total) > settled then redis.call('HSET', key, 'settled', total) end
  end
end
return 0
`);

/** Sums a budget key's live reservations, dropping expired ones. KEYS[1]: the hash; ARGV[1]: now. */
const RESERVED = redisScript(`
local now = tonumber(ARGV[1])
local sum = 0
local fields = redis.call('HGETALL', KEYS[1])
for j = 1, #fields, 2 do
  local value = fields[j + 1]
  if fields[j] ~= 'settled' then
    local sep = string.find(value, ':', 1, true)
    if tonumber(string.sub(value, sep + 1)) <= now then
      redis.call('HDEL', KEYS[1], fields[j])
    else
      sum = sum + tonumber(string.sub(value, 1, sep - 1))
    end
  end
end
return tostring(sum)
`);

/**
 * Moves live reservations' expiry: KEYS[i] holds reservation ARGV[2i - 1] (when it still does) until ARGV[2i] (ms), never
 * earlier than it already did.
 */
const RENEW = redisScript(`
for i, key in ipairs(KEYS) do
  local id = ARGV[2 * i - 1]
  local value = redis.call('HGET', key, id)
  if value then
    local sep = string.find(value, ':', 1, true)
    if tonumber(ARGV[2 * i]) > tonumber(string.sub(value, sep + 1)) then
      redis.call('HSET', key, id, string.sub(value, 1, sep - 1) .. ':' .. ARGV[2 * i])
    end
  end
end
return 0
`);

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
      for (const target of targets) {
        argv.push(target.budgetUsd, target.spentUsd, Math.max(1000, target.periodEndMs + 60_000 - nowMs));
      }
      const reply: unknown = await runScript(
        client,
        RESERVE,
        targets.map((target) => redisKey(target.key)),
        argv,
      );
      if (!isReply(reply)) throw new Error('unexpected reply from the budget reservation script');
      return reply[0] === 0 ? { ok: true } : { ok: false, index: reply[0] - 1, reservedUsd: Number(reply[1]) };
    },
    async release(keys, id, settledTotals) {
      if (keys.length === 0) return;
      const totals = keys.map((_, i) => {
        const total = settledTotals[i];
        return total === undefined ? '' : String(total);
      });
      await runScript(client, RELEASE, keys.map(redisKey), [id, ...totals]);
    },
    async reserved(key, nowMs) {
      const reply: unknown = await runScript(client, RESERVED, [redisKey(key)], [nowMs]);
      return Number(reply);
    },
    async renew(entries) {
      if (entries.length === 0) return;
      await runScript(
        client,
        RENEW,
        entries.map((entry) => redisKey(entry.key)),
        entries.flatMap((entry) => [entry.id, Math.round(entry.expiresAtMs)]),
      );
    },
  };
}
