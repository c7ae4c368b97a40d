import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@navplane/core';
import type { Database } from '../database/open-database';
import type { JsonObject } from '../schema/json';
import type { ChangeMessage, ChangeTransport } from './change-transport';
import { LocalSubscribers, type ChangeHandler } from './local-subscribers';
import { PostgresNotifyTransport, type PostgresNotifyOptions } from './postgres-notify.transport';
import { TablePollingTransport } from './table-polling.transport';

/**
 * Topic delivered locally (payload `{ reason: 'reconnected' | 'gap' }`) when changes from other processes may
 * have been missed: caches fed by the change feed should drop everything.
 */
export const CHANGE_FEED_RESYNC_TOPIC = 'changefeed.resync';

/** Tells every NavPlane process on the same database that something changed. */
export interface ChangeFeed {
  /**
   * Delivers `payload` to this process's subscribers of `topic` at once (before resolving), then to every other
   * process's. Payloads are small JSON objects (ids to invalidate): Postgres NOTIFY caps them near 8 kB.
   */
  publish(topic: string, payload: JsonObject): Promise<void>;
  /** Calls `handler` for each change on `topic` (local or remote, once each); returns the unsubscribe function. */
  subscribe<T extends JsonObject = JsonObject>(topic: string, handler: ChangeHandler<T>): () => void;
  /** Starts receiving other processes' changes; resolves once changes published from now on will arrive. */
  start(): Promise<void>;
  /** Stops receiving and releases the listener connection and timers (the Database stays open). */
  close(): Promise<void>;
  /** What this feed has seen since it was created (the diagnostics report, docs/admin-api.md). */
  stats(): ChangeFeedStats;
}

/** A change feed's counters and times (ms since the epoch; null: never). */
export interface ChangeFeedStats {
  /** How changes reach other processes: Postgres LISTEN/NOTIFY (`listen-notify`) or polling the `change_events` table (`poll`, SQLite). */
  readonly transport: 'listen-notify' | 'poll';
  readonly state: 'new' | 'starting' | 'started' | 'closed';
  /** Changes this process published. */
  readonly published: number;
  /** Changes other processes published that arrived here. */
  readonly received: number;
  /** Times changes may have been missed (listener reconnected, poller overtaken by pruning): caches dropped everything. */
  readonly resyncs: number;
  /** Transport problems that did not stop the feed (a failed poll, a lost listener connection). */
  readonly errors: number;
  /** When this process last published a change. */
  readonly lastPublishedAt: number | null;
  /** When a change from another process last arrived. */
  readonly lastReceivedAt: number | null;
  /** How long that change took to arrive (publisher's clock to ours, so clock skew between hosts shows here). */
  readonly lastReceivedLagMs: number | null;
  /** The longest any change from another process took to arrive. */
  readonly maxReceivedLagMs: number | null;
  /** When the last transport problem happened. */
  readonly lastErrorAt: number | null;
}

/** Options of createChangeFeed. */
export interface ChangeFeedOptions extends PostgresNotifyOptions {
  /** SQLite: delay between polls of `change_events`, in ms (`NAVPLANE_CHANGE_FEED_POLL_MS`; the cross-process bound). */
  pollIntervalMs: number;
  /** SQLite: how long events are kept before pruning, in ms (default 300000). */
  retentionMs?: number;
  /** A subscriber threw or the transport had trouble (default: process.emitWarning). */
  onError?: (error: Error) => void;
  /** Time source (default: the system clock). */
  clock?: Clock;
  /**
   * Told, for each change another process published, how long it took to arrive (ms; publisher's clock to
   * ours, so clock skew between hosts shows up here). Exposed as a metric by the runtime.
   */
  onRemoteDelivery?: (topic: string, lagMs: number) => void;
}

const defaultOnError = (error: Error) => process.emitWarning(`NavPlane change feed: ${error.message}`);

/**
 * The change feed over `database` (default onError process.emitWarning): Postgres uses
 * LISTEN/NOTIFY on `navplane_changes`, SQLite polls the `change_events` table, as `capabilities.changeNotification`
 * says. Subscribe, then `start()`; `close()` on shutdown.
 */
export function createChangeFeed(database: Database, options: ChangeFeedOptions): ChangeFeed {
  const { pollIntervalMs } = options;
  if (!(pollIntervalMs > 0) || !Number.isFinite(pollIntervalMs)) {
    throw new Error(`Change feed pollIntervalMs must be a positive number of milliseconds, got ${pollIntervalMs}`);
  }
  const onError = options.onError ?? defaultOnError;
  const clock = options.clock ?? systemClock;
  const { onRemoteDelivery } = options;
  const origin = randomUUID();
  const subscribers = new LocalSubscribers(onError);
  const transport = createTransport(database, options);
  let state: 'new' | 'starting' | 'started' | 'closed' = 'new';
  let starting: Promise<void> | undefined;
  const counts = {
    published: 0,
    received: 0,
    resyncs: 0,
    errors: 0,
    lastPublishedAt: null as number | null,
    lastReceivedAt: null as number | null,
    lastReceivedLagMs: null as number | null,
    maxReceivedLagMs: null as number | null,
    lastErrorAt: null as number | null,
  };

  return {
    async publish(topic, payload) {
      if (state === 'closed') throw new Error('Change feed is closed');
      // Cloning through JSON proves the payload serialisable and gives local handlers what remote ones get.
      const message: ChangeMessage = {
        topic,
        payload: JSON.parse(JSON.stringify(payload)) as JsonObject,
        origin,
        sentAt: clock.nowMs(),
      };
      counts.published += 1;
      counts.lastPublishedAt = message.sentAt ?? null;
      subscribers.dispatch(topic, message.payload);
      await transport.send(message);
    },
    subscribe(topic, handler) {
      return subscribers.add(topic, handler as ChangeHandler);
    },
    start() {
      if (state === 'closed') return Promise.reject(new Error('Change feed is closed'));
      if (starting !== undefined) return starting;
      state = 'starting';
      starting = transport
        .start({
          // Our own messages come back through the database: they were delivered locally already.
          deliver: (message) => {
            if (message.origin === origin || state === 'closed') return;
            const now = clock.nowMs();
            counts.received += 1;
            counts.lastReceivedAt = now;
            if (message.sentAt !== undefined) {
              const lagMs = Math.max(0, now - message.sentAt);
              counts.lastReceivedLagMs = lagMs;
              counts.maxReceivedLagMs = Math.max(counts.maxReceivedLagMs ?? 0, lagMs);
              onRemoteDelivery?.(message.topic, lagMs);
            }
            subscribers.dispatch(message.topic, message.payload);
          },
          resync: (reason) => {
            counts.resyncs += 1;
            subscribers.dispatch(CHANGE_FEED_RESYNC_TOPIC, { reason });
          },
          error: (error) => {
            counts.errors += 1;
            counts.lastErrorAt = clock.nowMs();
            onError(error);
          },
        })
        .then(
          () => {
            if (state === 'starting') state = 'started';
          },
          (error: unknown) => {
            // Allow another start() (e.g. the database was not reachable yet).
            starting = undefined;
            if (state === 'starting') state = 'new';
            throw error;
          },
        );
      return starting;
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      await starting?.catch(() => undefined);
      await transport.close();
    },
    stats: () => ({ transport: database.capabilities.changeNotification, state, ...counts }),
  };
}

function createTransport(database: Database, options: ChangeFeedOptions): ChangeTransport {
  const { location } = database;
  if (database.capabilities.changeNotification === 'listen-notify') {
    if (location.dialect !== 'postgres') throw new Error('LISTEN/NOTIFY needs a Postgres connection string');
    return new PostgresNotifyTransport(database.db, location.connectionString, options);
  }
  return new TablePollingTransport(database.db, {
    pollIntervalMs: options.pollIntervalMs,
    retentionMs: options.retentionMs,
    clock: options.clock ?? systemClock,
  });
}
