import { inspect } from 'node:util';
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock';
import { emptyCounts, processCacheCounts, registerLiveCache, type CacheCounts, type CacheEvictionReason } from './cache-counters';

/** Reads the value of one key; `undefined` means there is none (remembered only with the `absent` option). */
export type CacheLoader<K, V> = (key: K) => Promise<V | undefined>;

/** A change event's payload, as a change feed delivers it. */
export type ChangePayload = Readonly<Record<string, unknown>>;

/** Delivers change events by topic. The storage change feed is one (`ChangeFeed.subscribe`). */
export interface ChangeSource {
  subscribe(topic: string, handler: (payload: ChangePayload) => void): () => void;
}

/** What a cache does on each topic; a returned promise that rejects is reported to `onError`. */
export type ChangeHandlers = Readonly<Record<string, (payload: ChangePayload) => unknown>>;

/** Options of a LoadingCache. */
export interface LoadingCacheOptions<K, V> {
  /** The `cache` label of its metrics, snake_case. Caches sharing a name share their process-wide counters. */
  readonly name: string;
  /** Most keys held (values, and forgotten keys of an `unlisted` cache); the least recently used goes first. 0 holds nothing (loads are still merged). */
  readonly maxEntries: number;
  /** How long a value is held, in ms (default: until evicted or invalidated). */
  readonly ttlMs?: number;
  /** How long this value is held, in ms, overriding `ttlMs`: 0 answers it without holding it, undefined means `ttlMs`. */
  readonly ttlOf?: (value: V) => number | undefined;
  /** Remember keys the loader found nothing for, in a bound of their own so unknown keys never push out known ones (default: not remembered). */
  readonly absent?: { readonly maxEntries: number; readonly ttlMs: number };
  /** The loader of `get` and `load` when the call passes none. */
  readonly load?: CacheLoader<K, V>;
  /** Reads every key's value at once, for `start` and `reloadAll`. */
  readonly loadAll?: () => Promise<Iterable<readonly [K, V]>>;
  /**
   * The value of a key the last `reloadAll` did not list (policies: none), answered while that snapshot is whole:
   * nothing evicted, expired or cleared since, and the key not invalidated. Default: such a key is a miss.
   */
  readonly unlisted?: V;
  /**
   * When a load is overtaken by an invalidation of its key, its callers wait for a fresh read, once,
   * instead of taking its answer (default true). An overtaken load is never cached either way.
   */
  readonly rereadOvertaken?: boolean;
  /** Time source for the TTLs (default: the system clock). */
  readonly clock?: Clock;
  /** A read or reload started by a change event failed (default: process.emitWarning). */
  readonly onError?: (error: Error) => void;
}

/** A cache's own counts (this instance only), plus what it holds. */
export interface LoadingCacheStats extends CacheCounts {
  /** Keys held (values, and forgotten keys of an `unlisted` cache). */
  readonly size: number;
  /** Keys remembered as having no value (the `absent` option). */
  readonly absent: number;
  /** Keys being loaded now. */
  readonly loading: number;
}

/** A value held with the version of the load that produced it and when it stops being served. */
interface Held<V> {
  readonly version: number;
  readonly value: V;
  /** Infinity without a TTL. */
  readonly expiresAtMs: number;
}

/** A key of an `unlisted` cache that was forgotten: read as unknown, not as unlisted. */
interface Forgotten {
  readonly version: number;
  readonly forgotten: true;
}

type Entry<V> = Held<V> | Forgotten;

/** A key known to have no value. */
interface Absence {
  readonly version: number;
  readonly expiresAtMs: number;
}

/** One load of one key, shared by every caller that asks while it runs. */
interface Flight<V> {
  readonly ticket: number;
  /** An invalidation of the key came after it started: its answer is not cached. */
  overtaken: boolean;
  promise: Promise<V | undefined>;
}

const NAME = /^[a-z][a-z0-9_]*$/;
const ABSENT_HIT = Object.freeze({ value: undefined });

const isHeld = <V>(entry: Entry<V>): entry is Held<V> => !('forgotten' in entry);

function checkCount(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${what} must be an integer >= 0, got ${value}`);
}

function checkMs(what: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0)) throw new RangeError(`${what} must be a number of milliseconds >= 0, got ${value}`);
}

const toError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

/**
 * An LRU bound of at most `entries` entries that allocates as entries arrive. `lru-cache`'s `max` preallocates its
 * key and value arrays and its links for `max` entries (2.8 MB for the 100,000 of the gateway's caches, eight such
 * caches half of a gateway's heap), which every major GC then marks slot by slot; counted as a size of 1 per entry
 * under `maxSize`, the same bound grows with what is held (docs/performance.md, "Garbage collection").
 */
function countBound(entries: number): { maxSize: number; sizeCalculation: () => number } {
  return { maxSize: entries, sizeCalculation: () => 1 };
}

/**
 * NavPlane's one cache: a bounded LRU (the `lru-cache` package) of versioned entries that loads on a miss,
 * merges concurrent loads of a key into one, never lets an older load overwrite a newer value or invalidation,
 * follows a change feed, and counts hits, misses and evictions for `/metrics`.
 *
 * Versions: every load takes a ticket from one counter when it starts, and every invalidation a newer one. A
 * load's answer is written only if its ticket is newer than what the cache knows of the key — the entry held,
 * or the invalidation or eviction that removed it while a load that could write it ran — and newer than the last `clear`
 * or `reloadAll`. So a load that started before an invalidation can never put the old value back after it.
 */
// Keys are any non-nullish value (lru-cache's constraint).
export class LoadingCache<K extends NonNullable<unknown>, V> {
  readonly name: string;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #defaultTtlMs: number;
  readonly #ttlOf: ((value: V) => number | undefined) | undefined;
  readonly #absentTtlMs: number;
  readonly #loader: CacheLoader<K, V> | undefined;
  readonly #loadAll: (() => Promise<Iterable<readonly [K, V]>>) | undefined;
  readonly #unlisted: { readonly value: V } | undefined;
  readonly #reread: boolean;
  readonly #onError: (error: Error) => void;
  readonly #values: LRUCache<K, Entry<V>> | undefined;
  readonly #absent: LRUCache<K, Absence> | undefined;
  readonly #flights = new Map<K, Flight<V>>();
  /** Tickets of the loads (single and `reloadAll`) still running, oldest first: tickets only grow. */
  readonly #outstanding = new Set<number>();
  /** Keys removed while loads were running, with the version an older load must beat to write them. */
  readonly #removed = new Map<K, number>();
  /** Predicates of `invalidateWhere` calls made while a `reloadAll` was running, with their versions. */
  #removedWhere: { version: number; matches: (value: V, key: K) => boolean }[] = [];
  #version = 0;
  /** Loads with a ticket at or below it may not write (set by `clear` and `reloadAll`). */
  #floor = 0;
  /** Version when an entry was last lost (evicted, expired, cleared, a failed reload): a snapshot older than it is not whole. */
  #lastLoss = 0;
  /** The last `reloadAll` listed every key that has a value, and nothing was lost since. */
  #complete = false;
  #bulkLoads = 0;
  #clearing = false;
  #starting: Promise<void> | undefined;
  readonly #unsubscribers: (() => void)[] = [];
  readonly #own = emptyCounts();
  readonly #shared: CacheCounts;
  #unregister: (() => void) | undefined;

  constructor(options: LoadingCacheOptions<K, V>) {
    if (!NAME.test(options.name)) throw new RangeError(`Cache name must be snake_case, got "${options.name}"`);
    checkCount('maxEntries', options.maxEntries);
    checkMs('ttlMs', options.ttlMs);
    if (options.absent !== undefined) {
      checkCount('absent.maxEntries', options.absent.maxEntries);
      checkMs('absent.ttlMs', options.absent.ttlMs);
    }
    this.name = options.name;
    this.#maxEntries = options.maxEntries;
    this.#clock = options.clock ?? systemClock;
    this.#defaultTtlMs = options.ttlMs ?? Infinity;
    this.#ttlOf = options.ttlOf;
    this.#absentTtlMs = options.absent?.ttlMs ?? 0;
    this.#loader = options.load;
    this.#loadAll = options.loadAll;
    this.#unlisted = options.unlisted === undefined ? undefined : Object.freeze({ value: options.unlisted });
    this.#reread = options.rereadOvertaken ?? true;
    this.#onError = options.onError ?? ((error) => process.emitWarning(`NavPlane ${this.name} cache: ${error.message}`));
    this.#shared = processCacheCounts(options.name);
    // What it holds shows in the diagnostics report (cacheSizesSnapshot) until it is closed.
    this.#unregister = registerLiveCache(options.name, this);
    if (options.maxEntries > 0) {
      this.#values = new LRUCache<K, Entry<V>>({
        ...countBound(options.maxEntries),
        dispose: (entry, key, reason) => {
          if (reason === 'evict') this.#lost(key, entry.version, isHeld(entry) ? 'capacity' : undefined);
        },
      });
    }
    const absentMax = options.absent?.maxEntries ?? 0;
    if (absentMax > 0 && this.#absentTtlMs > 0) {
      this.#absent = new LRUCache<K, Absence>({
        ...countBound(absentMax),
        dispose: (absence, key, reason) => {
          if (reason === 'evict') this.#lost(key, absence.version, 'capacity');
        },
      });
    }
  }

  /** Keys held (values, and forgotten keys of an `unlisted` cache). */
  get size(): number {
    return this.#values?.size ?? 0;
  }

  /** Keys remembered as having no value. */
  get absentSize(): number {
    return this.#absent?.size ?? 0;
  }

  /** This instance's counts and sizes (the metrics add up every cache of the same name). */
  stats(): LoadingCacheStats {
    return {
      hits: this.#own.hits,
      misses: this.#own.misses,
      evictions: { ...this.#own.evictions },
      size: this.size,
      absent: this.absentSize,
      loading: this.#flights.size,
    };
  }

  /**
   * The value of `key` from memory, synchronously (counted as a hit or a miss): the value held, the `unlisted`
   * value, or undefined when unknown (and for a key remembered as absent, which counts as a hit).
   */
  peek(key: K): V | undefined {
    const found = this.#lookup(key);
    if (found === undefined) {
      this.#count('misses');
      return undefined;
    }
    this.#count('hits');
    return found.value;
  }

  /**
   * The value of `key`: from memory (a hit), else from the load of the key already running or a new one with
   * `load` (default: the cache's loader). Rejects when the load does; a failed load is not cached.
   */
  get(key: K, load?: CacheLoader<K, V>): Promise<V | undefined> {
    const found = this.#lookup(key);
    if (found !== undefined) {
      this.#count('hits');
      return Promise.resolve(found.value);
    }
    this.#count('misses');
    return this.#join(key, load ?? this.#requireLoader());
  }

  /**
   * Reads `key` now, whatever is held (sharing a read of it already running), and caches the answer; when the read
   * fails the key is forgotten (unless something newer is known). Not counted as a lookup.
   */
  load(key: K, load?: CacheLoader<K, V>): Promise<V | undefined> {
    return this.#join(key, load ?? this.#requireLoader());
  }

  /** The value of `key`, built by `create` and held on a miss (for values made synchronously, not loaded). */
  getOrCreate(key: K, create: () => V): V {
    const found = this.#lookup(key);
    if (found !== undefined && found.value !== undefined) {
      this.#count('hits');
      return found.value;
    }
    this.#count('misses');
    const value = create();
    this.set(key, value);
    return value;
  }

  /** Holds `value` for `key` as the newest thing known of it. */
  set(key: K, value: V): void {
    this.#store(key, value, ++this.#version);
  }

  /** Forgets `key` (its value or absence) and overtakes its running load, whose answer is then not cached. */
  invalidate(key: K): void {
    const version = ++this.#version;
    this.#overtake(key);
    this.#drop(key, version, 'invalidated');
  }

  /** Forgets every value for which `matches` is true, and overtakes every running load (any could return such a value). */
  invalidateWhere(matches: (value: V, key: K) => boolean): void {
    const version = ++this.#version;
    this.#overtakeAll();
    if (this.#bulkLoads > 0) this.#removedWhere.push({ version, matches });
    if (this.#values === undefined) return;
    const doomed: K[] = [];
    for (const [key, entry] of this.#values.entries()) if (isHeld(entry) && matches(entry.value, key)) doomed.push(key);
    for (const key of doomed) this.#drop(key, version, 'invalidated');
  }

  /** Forgets everything and overtakes every running load: none of them can write any more. */
  clear(): void {
    const version = ++this.#version;
    this.#floor = version;
    this.#lastLoss = version;
    this.#complete = false;
    this.#overtakeAll();
    let held = this.#absent?.size ?? 0;
    if (this.#values !== undefined) for (const entry of this.#values.values()) if (isHeld(entry)) held += 1;
    this.#values?.clear();
    this.#absent?.clear();
    this.#removed.clear();
    this.#removedWhere = [];
    this.#countEvictions('invalidated', held);
  }

  /**
   * Reads every key at once (`loadAll`) and holds what it lists, unless something newer is known of a key; keys
   * it does not list and older than it are dropped. When the read fails every key older than it is forgotten
   * (callers read them again or fail closed) and the promise rejects.
   */
  async reloadAll(): Promise<void> {
    const loadAll = this.#loadAll;
    if (loadAll === undefined) throw new Error(`The ${this.name} cache has no loadAll`);
    const ticket = this.#begin();
    this.#bulkLoads += 1;
    try {
      let rows: Iterable<readonly [K, V]>;
      try {
        rows = await loadAll();
      } catch (error) {
        this.#dropOlderThan(ticket, () => false);
        this.#lastLoss = this.#version;
        this.#complete = false;
        throw error;
      }
      const listed = new Set<K>();
      for (const [key, value] of rows) {
        listed.add(key);
        if (this.#bulkMayWrite(key, value, ticket)) this.#store(key, value, ticket);
      }
      this.#dropOlderThan(ticket, (key) => listed.has(key));
      if (this.#unlisted !== undefined && this.#lastLoss < ticket) this.#complete = true;
    } finally {
      this.#bulkLoads -= 1;
      this.#end(ticket);
    }
  }

  /** `reloadAll` once; concurrent and later calls share it, and a failure lets the next call try again. */
  start(): Promise<void> {
    this.#starting ??= this.reloadAll().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  /** Subscribes `handlers` to their topics on `source` until `close()`; a handler's rejected promise goes to `onError`. */
  follow(source: ChangeSource, handlers: ChangeHandlers): void {
    for (const [topic, handle] of Object.entries(handlers)) {
      this.#unsubscribers.push(
        source.subscribe(topic, (payload) => {
          let outcome: unknown;
          try {
            outcome = handle(payload);
          } catch (error) {
            this.#onError(toError(error));
            return;
          }
          if (outcome instanceof Promise) outcome.catch((error: unknown) => this.#onError(toError(error)));
        }),
      );
    }
  }

  /**
   * Keeps a whole-snapshot cache (`loadAll`) in step with a change feed: an event of `changed` naming a key
   * (`keyOf(payload)`) forgets that key at once — from that event on no caller gets the old value; callers
   * arriving before the re-read completes wait for it — and re-reads it; an event naming none, or one of
   * `resync` (events may have been missed), reloads every key.
   */
  followSnapshot(
    source: ChangeSource,
    topics: { changed: string; resync: string; keyOf: (payload: ChangePayload) => K | undefined },
  ): void {
    this.follow(source, {
      [topics.changed]: (payload) => {
        const key = topics.keyOf(payload);
        if (key === undefined) return this.reloadAll();
        this.invalidate(key);
        return this.load(key);
      },
      [topics.resync]: () => this.reloadAll(),
    });
  }

  /** Stops following the change sources. What is held stays (call `clear()` to drop it too). */
  close(): void {
    for (const unsubscribe of this.#unsubscribers.splice(0)) unsubscribe();
    this.#unregister?.();
    this.#unregister = undefined;
  }

  /** Most keys held (the `maxEntries` option). */
  get maxEntries(): number {
    return this.#maxEntries;
  }

  /** Its shape only: values may be secrets, so they are never printed or serialised. */
  toJSON(): { cache: string; size: number; maxEntries: number; loading: number } {
    return { cache: this.name, size: this.size, maxEntries: this.#maxEntries, loading: this.#flights.size };
  }

  [inspect.custom](): string {
    return `LoadingCache ${inspect(this.toJSON())}`;
  }

  // ---- reads ----

  /** What memory says of `key` ({ value } when known, with value undefined for a known absence), or undefined. */
  #lookup(key: K): { readonly value: V | undefined } | undefined {
    const entry = this.#values?.get(key);
    if (entry !== undefined) {
      if (!isHeld(entry)) return undefined;
      if (entry.expiresAtMs === Infinity || this.#clock.nowMs() < entry.expiresAtMs) return entry;
      this.#values?.delete(key);
      this.#lost(key, entry.version, 'expired');
    }
    const absence = this.#absent?.get(key);
    if (absence !== undefined) {
      if (this.#clock.nowMs() < absence.expiresAtMs) return ABSENT_HIT;
      this.#absent?.delete(key);
      this.#lost(key, absence.version, 'expired');
    }
    if (entry === undefined && this.#complete) return this.#unlisted;
    return undefined;
  }

  #requireLoader(): CacheLoader<K, V> {
    if (this.#loader === undefined) throw new Error(`The ${this.name} cache has no loader: pass one to the call`);
    return this.#loader;
  }

  // ---- loads ----

  /** Waits for the key's running load (or a new one); when it was overtaken, waits once more for a fresh one. */
  async #join(key: K, load: CacheLoader<K, V>): Promise<V | undefined> {
    const flight = this.#flights.get(key) ?? this.#start(key, load);
    const value = await flight.promise;
    if (!flight.overtaken || !this.#reread) return value;
    return (this.#flights.get(key) ?? this.#start(key, load)).promise;
  }

  #start(key: K, load: CacheLoader<K, V>): Flight<V> {
    const flight: Flight<V> = { ticket: this.#begin(), overtaken: false, promise: Promise.resolve(undefined) };
    this.#flights.set(key, flight);
    flight.promise = this.#run(key, load, flight);
    return flight;
  }

  async #run(key: K, load: CacheLoader<K, V>, flight: Flight<V>): Promise<V | undefined> {
    try {
      const value = await load(key);
      if (this.#mayWrite(key, flight)) {
        if (value === undefined) this.#storeAbsence(key, flight.ticket);
        else this.#store(key, value, flight.ticket);
      }
      return value;
    } catch (error) {
      // We cannot learn the key's value: forget what we held, so callers read it again (or fail closed).
      if (this.#mayWrite(key, flight)) this.#drop(key, flight.ticket, 'invalidated');
      throw error;
    } finally {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
      this.#end(flight.ticket);
    }
  }

  #begin(): number {
    const ticket = ++this.#version;
    this.#outstanding.add(ticket);
    return ticket;
  }

  #end(ticket: number): void {
    this.#outstanding.delete(ticket);
    if (this.#outstanding.size === 0) this.#removed.clear();
    if (this.#bulkLoads === 0) this.#removedWhere = [];
  }

  #overtake(key: K): void {
    const flight = this.#flights.get(key);
    if (flight === undefined) return;
    flight.overtaken = true;
    this.#flights.delete(key);
  }

  #overtakeAll(): void {
    for (const flight of this.#flights.values()) flight.overtaken = true;
    this.#flights.clear();
  }

  // ---- versions ----

  /** The newest version known of `key`: its entry's, its absence's, or the removal of either while loads ran. */
  #versionOf(key: K): number {
    return Math.max(this.#values?.peek(key)?.version ?? 0, this.#absent?.peek(key)?.version ?? 0, this.#removed.get(key) ?? 0);
  }

  #isNewer(key: K, ticket: number): boolean {
    return ticket > this.#floor && ticket > this.#versionOf(key);
  }

  #mayWrite(key: K, flight: Flight<V>): boolean {
    return !flight.overtaken && this.#isNewer(key, flight.ticket);
  }

  #bulkMayWrite(key: K, value: V, ticket: number): boolean {
    if (!this.#isNewer(key, ticket)) return false;
    return !this.#removedWhere.some((removal) => removal.version > ticket && removal.matches(value, key));
  }

  /**
   * Remembers that `key` was removed at `version`, while a load older than that could still write it: the key's own
   * load (only one runs per key; an overtaken one never writes) or a `reloadAll`. Nothing else can, so removals of
   * other keys (a flood of evicted unknown keys, say) cost nothing here.
   */
  #remember(key: K, version: number): void {
    const flight = this.#flights.get(key);
    if (this.#bulkLoads === 0 && (flight === undefined || flight.ticket >= version)) return;
    const oldest = this.#outstanding.values().next();
    if (oldest.done === true || oldest.value >= version) return;
    this.#removed.set(key, Math.max(this.#removed.get(key) ?? 0, version));
    const limit = Math.max(1024, 2 * this.#maxEntries);
    if (this.#removed.size <= limit) return;
    for (const [removedKey, removedAt] of this.#removed) if (removedAt < oldest.value) this.#removed.delete(removedKey);
    if (this.#removed.size <= limit || this.#clearing) return;
    // Still too many removals while one slow reload runs: forget everything rather than lose track of versions. Not
    // now (this may run inside the LRU's own eviction), but before any other task can read the cache.
    this.#clearing = true;
    queueMicrotask(() => {
      this.#clearing = false;
      this.clear();
    });
  }

  // ---- writes and removals ----

  #store(key: K, value: V, version: number): void {
    const ttlMs = this.#ttlOf?.(value) ?? this.#defaultTtlMs;
    if (!(ttlMs > 0)) {
      // Answered but not held: what was held is older than this answer, so it goes.
      this.#drop(key, version, undefined);
      return;
    }
    this.#absent?.delete(key);
    if (this.#values === undefined) this.#remember(key, version);
    else this.#values.set(key, { version, value, expiresAtMs: ttlMs === Infinity ? Infinity : this.#clock.nowMs() + ttlMs });
  }

  #storeAbsence(key: K, version: number): void {
    this.#drop(key, version, undefined);
    if (this.#absent === undefined) return;
    this.#absent.set(key, { version, expiresAtMs: this.#clock.nowMs() + this.#absentTtlMs });
  }

  /**
   * Removes what is known of `key` as of `version`, counting held values under `reason`. In an `unlisted` cache the
   * key stays as forgotten (unknown, not unlisted) until a newer answer replaces it.
   */
  #drop(key: K, version: number, reason: CacheEvictionReason | undefined): void {
    const entry = this.#values?.peek(key);
    let removed = 0;
    if (entry !== undefined) {
      if (isHeld(entry)) removed += 1;
      this.#values?.delete(key);
    }
    if (this.#absent?.delete(key) === true) removed += 1;
    if (reason !== undefined) this.#countEvictions(reason, removed);
    if (this.#unlisted !== undefined && this.#values !== undefined) this.#values.set(key, { version, forgotten: true });
    else this.#remember(key, version);
  }

  /** Drops every entry and absence older than `ticket` that `keep` does not keep, and raises the floor to `ticket`. */
  #dropOlderThan(ticket: number, keep: (key: K) => boolean): void {
    this.#floor = Math.max(this.#floor, ticket);
    let removed = 0;
    if (this.#values !== undefined) {
      const doomed: K[] = [];
      for (const [key, entry] of this.#values.entries()) {
        if (entry.version < ticket && !keep(key)) {
          doomed.push(key);
          if (isHeld(entry)) removed += 1;
        }
      }
      for (const key of doomed) this.#values.delete(key);
    }
    if (this.#absent !== undefined) {
      const doomed: K[] = [];
      for (const [key, absence] of this.#absent.entries()) if (absence.version < ticket && !keep(key)) doomed.push(key);
      for (const key of doomed) this.#absent.delete(key);
      removed += doomed.length;
    }
    this.#countEvictions('invalidated', removed);
  }

  /** An entry left without being invalidated (bound or TTL): the snapshot is no longer whole. */
  #lost(key: K, version: number, reason: CacheEvictionReason | undefined): void {
    this.#lastLoss = this.#version;
    this.#complete = false;
    if (reason !== undefined) this.#countEvictions(reason, 1);
    this.#remember(key, version);
  }

  // ---- counters ----

  #count(what: 'hits' | 'misses'): void {
    this.#own[what] += 1;
    this.#shared[what] += 1;
  }

  #countEvictions(reason: CacheEvictionReason, count: number): void {
    if (count === 0) return;
    this.#own.evictions[reason] += count;
    this.#shared.evictions[reason] += count;
  }
}
