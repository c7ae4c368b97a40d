/**
 * A bounded least-recently-used map: `get` refreshes an entry, `set` beyond `maxEntries` drops the least
 * recently used one. A Map keeps insertion order, so moving an entry to the end is delete + set: O(1).
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new Error(`Cache size must be a positive integer, got ${maxEntries}`);
    }
  }

  /** The entry for `key` (now the most recently used), or undefined. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used one when full. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  /** Removes `key`; true when it was there. */
  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Removes every entry for which `predicate` is true (a scan: for rare events only). */
  deleteWhere(predicate: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.#entries) if (predicate(value, key)) this.#entries.delete(key);
  }

  /** Removes everything. */
  clear(): void {
    this.#entries.clear();
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }
}
