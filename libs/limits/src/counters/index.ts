export {
  BUCKET_MS,
  CONCURRENCY_RETRY_MS,
  WINDOW_MS,
  type Admission,
  type CountedLimit,
  type CounterStore,
  type ScopeCounters,
  type ScopeState,
  type WindowState,
} from './counter-store';
export { createMemoryCounterStore, type MemoryCounterStoreOptions } from './memory-counter-store';
export { createRedisCounterStore, type RedisCounterStoreOptions } from './redis-counter-store';
export {
  createLimitCounters,
  type FailMode,
  type LimitCounters,
  type LimitCountersOptions,
  type LimitDecision,
  type LimitLease,
} from './limit-counters';
export { formatResetDuration, rateLimitHeaders } from './rate-limit-headers';
