import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { PG_TYPES } from '../database/pg-types';
import type { DB } from '../schema/schema';
import type { ChangeMessage, ChangeSink, ChangeTransport } from './change-transport';

/** The one NOTIFY channel every NavPlane process listens on. */
export const CHANGE_CHANNEL = 'navplane_changes';

/** application_name of the LISTEN connection (find it in pg_stat_activity). */
export const LISTENER_APPLICATION_NAME = 'navplane-change-feed';

// NOTIFY payloads must stay under 8000 bytes; change messages are small invalidations (ids), never data.
const MAX_MESSAGE_BYTES = 7900;

/** Options of the Postgres LISTEN/NOTIFY transport. */
export interface PostgresNotifyOptions {
  /** First reconnect delay in ms, doubled per failed attempt (default 100). */
  reconnectInitialDelayMs?: number;
  /** Longest reconnect delay in ms (default 5000). */
  reconnectMaxDelayMs?: number;
  /** How often the listener proves its connection alive with `select 1`, in ms (default 15000). */
  heartbeatIntervalMs?: number;
}

/**
 * Publishes with `pg_notify` through the pool; listens on a dedicated pg.Client (a pooled connection cannot
 * hold LISTEN). When that connection drops (server restart, pg_terminate_backend, a failed heartbeat) it
 * reconnects with exponential backoff and reports a resync, since notifications sent meanwhile are lost.
 */
export class PostgresNotifyTransport implements ChangeTransport {
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #heartbeatMs: number;
  #sink: ChangeSink | undefined;
  #client: pg.Client | undefined;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly connectionString: string,
    options: PostgresNotifyOptions = {},
  ) {
    this.#initialDelayMs = options.reconnectInitialDelayMs ?? 100;
    this.#maxDelayMs = options.reconnectMaxDelayMs ?? 5000;
    this.#heartbeatMs = options.heartbeatIntervalMs ?? 15_000;
  }

  async start(sink: ChangeSink): Promise<void> {
    this.#sink = sink;
    await this.#connect();
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), this.#heartbeatMs);
    this.#heartbeatTimer.unref(); // the LISTEN socket already keeps the process alive
  }

  async send(message: ChangeMessage): Promise<void> {
    const text = JSON.stringify(message);
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
      throw new Error(`Change-feed message on "${message.topic}" exceeds ${MAX_MESSAGE_BYTES} bytes: publish ids, not data`);
    }
    await sql`select pg_notify(${CHANGE_CHANNEL}, ${text})`.execute(this.db);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#heartbeatTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: LISTENER_APPLICATION_NAME,
      types: PG_TYPES,
      query_timeout: 5000,
    });
    client.on('error', (error) => this.#dropped(client, error));
    client.on('end', () => this.#dropped(client));
    client.on('notification', (notification) => this.#received(notification));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#attempt = 0;
  }

  #received(notification: pg.Notification): void {
    if (notification.channel !== CHANGE_CHANNEL || notification.payload === undefined) return;
    let message: ChangeMessage;
    try {
      message = JSON.parse(notification.payload) as ChangeMessage;
    } catch (error) {
      this.#sink?.error(new Error('Unparseable change-feed notification', { cause: error }));
      return;
    }
    this.#sink?.deliver(message);
  }

  #dropped(client: pg.Client, error?: Error): void {
    // 'error' and 'end' both fire for one drop, and a replaced client may still report: act once, for the current one.
    if (client !== this.#client || this.#closed) return;
    this.#client = undefined;
    if (error) this.#sink?.error(new Error('Change-feed listener connection lost', { cause: error }));
    void client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const base = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** this.#attempt);
    // Jitter spreads many gateways reconnecting after one database restart.
    const delay = base / 2 + Math.random() * (base / 2);
    this.#attempt += 1;
    // Not unref'd: like the LISTEN socket it stands in for, it keeps the process alive until close().
    this.#reconnectTimer = setTimeout(() => void this.#reconnect(), delay);
  }

  async #reconnect(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      this.#sink?.error(new Error('Change-feed listener reconnect failed', { cause: error }));
      this.#scheduleReconnect();
      return;
    }
    if (!this.#closed) this.#sink?.resync('reconnected');
  }

  async #heartbeat(): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    try {
      await client.query('select 1');
    } catch (error) {
      // A half-open TCP connection never emits 'end'; a failed query is how we notice it.
      this.#dropped(client, error instanceof Error ? error : new Error(String(error)));
    }
  }
}
