import type { JsonObject } from '../schema/json';

/** A change-feed handler. */
export type ChangeHandler<T extends JsonObject = JsonObject> = (payload: T) => void;

/** Handlers by topic; a throwing handler is reported and does not stop the others. */
export class LocalSubscribers {
  readonly #handlers = new Map<string, Set<ChangeHandler>>();

  constructor(private readonly onError: (error: Error) => void) {}

  /** Adds a handler; the returned function removes it (idempotent). */
  add(topic: string, handler: ChangeHandler): () => void {
    let handlers = this.#handlers.get(topic);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(topic, handlers);
    }
    // A wrapper per subscription, so subscribing the same function twice yields two independent subscriptions.
    const entry: ChangeHandler = (payload) => handler(payload);
    handlers.add(entry);
    return () => {
      const current = this.#handlers.get(topic);
      current?.delete(entry);
      if (current?.size === 0) this.#handlers.delete(topic);
    };
  }

  /** Calls every handler of `topic` with its own copy of `payload`, now. */
  dispatch(topic: string, payload: JsonObject): void {
    const handlers = this.#handlers.get(topic);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) {
      try {
        handler(structuredClone(payload));
      } catch (error) {
        this.onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
