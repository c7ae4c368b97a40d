import { createChangeFeed, type ChangeFeed, type Database, type JsonObject } from '@navplane/storage';

/** A started change feed on the test's own connection that records every event of `topics`. */
export interface ChangeRecorder {
  readonly events: Array<{ topic: string; payload: JsonObject }>;
  /** Resolves once an event of `topic` matching `payload` (a subset) arrived; rejects after `timeoutMs` (default 3000). */
  waitFor(topic: string, payload: JsonObject, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const matches = (payload: JsonObject, expected: JsonObject) =>
  Object.entries(expected).every(([k, v]) => JSON.stringify(payload[k]) === JSON.stringify(v));

/** Listens like a running gateway would: proves a CLI mutation reached other processes. */
export async function recordChanges(database: Database, topics: string[]): Promise<ChangeRecorder> {
  const feed: ChangeFeed = createChangeFeed(database, { pollIntervalMs: 20, onError: () => undefined });
  const events: Array<{ topic: string; payload: JsonObject }> = [];
  for (const topic of topics) feed.subscribe(topic, (payload) => void events.push({ topic, payload }));
  await feed.start();
  return {
    events,
    async waitFor(topic, payload, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!events.some((e) => e.topic === topic && matches(e.payload, payload))) {
        if (Date.now() > deadline)
          throw new Error(`no ${topic} ${JSON.stringify(payload)} within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => feed.close(),
  };
}
