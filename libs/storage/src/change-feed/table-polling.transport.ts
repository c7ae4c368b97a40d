import type { Clock } from '@navplane/core';
import { toIso } from '@navplane/core';
import type { Kysely } from 'kysely';
import type { JsonObject } from '../schema/json';
import type { DB } from '../schema/schema';
import type { ChangeMessage, ChangeSink, ChangeTransport } from './change-transport';

/** Options of the table-polling transport. */
export interface TablePollingOptions {
  /** Delay between polls in ms. */
  pollIntervalMs: number;
  /** How long events are kept before pruning, in ms (default 300000 = 5 min). */
  retentionMs?: number;
  /** How often this process prunes old events, in ms (default 30000). */
  pruneIntervalMs?: number;
  /** Time source for event timestamps and pruning. */
  clock: Clock;
}

// One poll reads at most this many events; a full page polls again at once.
const PAGE_SIZE = 500;

/**
 * Appends each message to `change_events` and polls `select … where id > :cursor` (the primary key, so one
 * index seek per interval). AUTOINCREMENT ids are never reused and commit in order on SQLite (one writer at a
 * time), so a gap before the first new id means pruning overtook this poller: it reports a resync.
 */
export class TablePollingTransport implements ChangeTransport {
  readonly #retentionMs: number;
  readonly #pruneIntervalMs: number;
  #sink: ChangeSink | undefined;
  #cursor = 0;
  // False while the cursor came from an empty table: then the first new id cannot reveal a gap.
  #cursorExact = false;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #lastPruneMs = 0;
  #closed = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: TablePollingOptions,
  ) {
    this.#retentionMs = options.retentionMs ?? 300_000;
    this.#pruneIntervalMs = options.pruneIntervalMs ?? 30_000;
  }

  async start(sink: ChangeSink): Promise<void> {
    this.#sink = sink;
    const row = await this.db
      .selectFrom('change_events')
      .select((eb) => eb.fn.max('id').as('max_id'))
      .executeTakeFirst();
    const maxId = row?.max_id;
    this.#cursor = maxId === null || maxId === undefined ? 0 : Number(maxId);
    this.#cursorExact = maxId !== null && maxId !== undefined;
    this.#lastPruneMs = this.options.clock.nowMs();
    this.#schedule();
  }

  async send(message: ChangeMessage): Promise<void> {
    await this.db
      .insertInto('change_events')
      .values({
        topic: message.topic,
        payload: JSON.stringify(message.payload),
        origin: message.origin,
        created_at: toIso(message.sentAt ?? this.options.clock.nowMs()),
      })
      .execute();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#polling;
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#polling = this.#poll().finally(() => {
        this.#polling = undefined;
        this.#schedule();
      });
    }, this.options.pollIntervalMs);
  }

  async #poll(): Promise<void> {
    try {
      let page: Array<{ id: number; topic: string; payload: string; origin: string; created_at: string }>;
      do {
        page = await this.db
          .selectFrom('change_events')
          .select(['id', 'topic', 'payload', 'origin', 'created_at'])
          .where('id', '>', this.#cursor)
          .orderBy('id')
          .limit(PAGE_SIZE)
          .execute();
        if (this.#closed) return;
        const first = page[0];
        if (first !== undefined && this.#cursorExact && first.id > this.#cursor + 1) this.#sink?.resync('gap');
        for (const row of page) {
          this.#cursor = row.id;
          this.#cursorExact = true;
          this.#deliver(row);
        }
      } while (page.length === PAGE_SIZE && !this.#closed);
      await this.#pruneIfDue();
    } catch (error) {
      this.#sink?.error(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #deliver(row: { topic: string; payload: string; origin: string; created_at: string }): void {
    let payload: JsonObject;
    try {
      payload = JSON.parse(row.payload) as JsonObject;
    } catch (error) {
      this.#sink?.error(new Error('Unparseable change event', { cause: error }));
      return;
    }
    this.#sink?.deliver({ topic: row.topic, payload, origin: row.origin, sentAt: Date.parse(row.created_at) });
  }

  async #pruneIfDue(): Promise<void> {
    const now = this.options.clock.nowMs();
    if (now - this.#lastPruneMs < this.#pruneIntervalMs) return;
    this.#lastPruneMs = now;
    await this.db
      .deleteFrom('change_events')
      .where('created_at', '<', toIso(now - this.#retentionMs))
      .execute();
  }
}
