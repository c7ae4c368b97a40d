import { inspect } from 'node:util';
import type { Clock } from '@navplane/core';

interface Entry<V> {
  value: V;
  expiresAtMs: number;
}

/**
 * A bounded least-recently-used map with a per-entry time to live. Entries may hold secrets, so the cache prints
 * and serialises as its size only.
 */
export class LruCache<V> {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used entry first.
  readonly #entries = new Map<string, Entry<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new Error(`Cache size must be an integer >= 0, got ${maxEntries}`);
  }

  /** Entries held now (expired ones included until touched). */
  get size(): number {
    return this.#entries.size;
  }

  /** The live value of `key`, marking it most recently used; undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAtMs <= this.clock.nowMs()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `ttlMs`, evicting the least recently used entry when full (a no-op when maxEntries is 0). */
  set(key: string, value: V, ttlMs: number): void {
    if (this.maxEntries === 0 || !(ttlMs > 0)) return;
    this.#entries.delete(key);
    while (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAtMs: this.clock.nowMs() + ttlMs });
  }

  /** Removes `key`; true when it was there. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Removes every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (matches(entry.value)) this.#entries.delete(key);
  }

  /** Removes everything. */
  clear(): void {
    this.#entries.clear();
  }

  toJSON(): { size: number; maxEntries: number } {
    return { size: this.#entries.size, maxEntries: this.maxEntries };
  }

  [inspect.custom](): string {
    return `LruCache ${inspect(this.toJSON())}`;
  }
}
