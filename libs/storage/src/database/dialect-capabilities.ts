import type { JsonValue } from '../schema/json';
import type { DialectName } from '@navplane/core';

/** Converts between JS values and a JSON column's stored form (jsonb on Postgres, text on SQLite). */
export interface JsonCodec {
  /** The value to bind for a JSON column: always JSON text (node-pg would turn JS arrays into SQL arrays). */
  encode(value: JsonValue): string;
  /** The JS value of a JSON column as the driver returned it. */
  decode<T extends JsonValue = JsonValue>(stored: unknown): T;
}

/** Converts between JS booleans and a boolean column's stored form (integer 0/1 on both dialects). */
export interface BooleanCodec {
  /** 1 for true, 0 for false. */
  encode(value: boolean): number;
  /** true for 1 (or a native true), false otherwise. */
  decode(stored: unknown): boolean;
}

/**
 * Everything that differs between the dialects, as named capabilities. Repositories and the change feed
 * ask this object; nothing else in the codebase may branch on the dialect name.
 */
export interface DialectCapabilities {
  /** `INSERT/UPDATE/DELETE … RETURNING` works (SQLite ≥ 3.35 and Postgres: true). */
  readonly returning: boolean;
  /** How insert-ignore / upsert is spelled: `on-conflict` = `ON CONFLICT (cols) DO NOTHING | DO UPDATE` (Kysely `onConflict`). */
  readonly upsert: 'on-conflict';
  /** JSON column codec (Postgres: jsonb, parsed by the driver; SQLite: text checked with `json_valid`). */
  readonly json: JsonCodec;
  /** Boolean column codec (integer 0/1 on both dialects, so rows look the same everywhere). */
  readonly boolean: BooleanCodec;
  /** Most bind parameters one statement may carry (SQLite 32766, Postgres 65535); multi-row inserts chunk above it. */
  readonly maxBindParameters: number;
  /** How other processes learn of a change: Postgres `LISTEN/NOTIFY`, SQLite polls the `change_events` table. */
  readonly changeNotification: 'listen-notify' | 'poll';
  /** Schema changes run inside a transaction (both: SQLite's migration transaction is `BEGIN IMMEDIATE`). */
  readonly transactionalDdl: boolean;
  /** Several processes may write at once (Postgres: yes; SQLite: one writer at a time, others wait `busy_timeout`). */
  readonly concurrentWriters: boolean;
}

const integerBoolean: BooleanCodec = {
  encode: (value) => (value ? 1 : 0),
  decode: (stored) => stored === 1 || stored === true || stored === 1n,
};

const textJson: JsonCodec = {
  encode: (value) => JSON.stringify(value),
  decode: <T extends JsonValue>(stored: unknown) => (typeof stored === 'string' ? JSON.parse(stored) : stored) as T,
};

const driverParsedJson: JsonCodec = {
  encode: (value) => JSON.stringify(value),
  // node-pg already parsed the jsonb text; a JSON string value arrives as a JS string and must stay one.
  decode: <T extends JsonValue>(stored: unknown) => stored as T,
};

/** The capabilities of each dialect. */
export const DIALECT_CAPABILITIES: Readonly<Record<DialectName, DialectCapabilities>> = {
  sqlite: Object.freeze({
    returning: true,
    upsert: 'on-conflict',
    json: textJson,
    boolean: integerBoolean,
    maxBindParameters: 32_766,
    changeNotification: 'poll',
    transactionalDdl: true,
    concurrentWriters: false,
  }),
  postgres: Object.freeze({
    returning: true,
    upsert: 'on-conflict',
    json: driverParsedJson,
    boolean: integerBoolean,
    maxBindParameters: 65_535,
    changeNotification: 'listen-notify',
    transactionalDdl: true,
    concurrentWriters: true,
  }),
};
