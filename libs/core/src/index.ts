export * from './app-error';
export * from './clock';
export * from './database-url';
export * from './ids';
export * from './item-at';
export * from './join-chunks';
export * from './key-header-name';
export * from './result';
export * from './thread-priority';
export {
  CACHE_EVICTION_REASONS,
  cacheCountsSnapshot,
  cacheSizesSnapshot,
  type CacheCounts,
  type CacheCountsSample,
  type CacheEvictionReason,
  type CacheSizesSample,
} from './cache/cache-counters';
export * from './cache/loading-cache';
