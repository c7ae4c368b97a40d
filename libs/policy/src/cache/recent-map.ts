/**
 * A bounded memo for pure functions on short strings, in two generations: when the current one holds `capacity`
 * entries it becomes the previous one (the older generation is dropped), and an entry found in the previous one
 * moves back. Lookups are one or two map reads: the point is to cost less than the shortest computation it saves,
 * which an LRU list's bookkeeping does not. At most 2 × `capacity` entries are held.
 */
export class RecentMap<K, V> {
  #current = new Map<K, V>();
  #previous = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.#current.get(key);
    if (value !== undefined) return value;
    const older = this.#previous.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key: K, value: V): void {
    if (this.#current.size >= this.capacity) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, value);
  }
}
