import type { Writable } from 'node:stream';
import { createLogger as createWinstonLogger, format, transports, type Logger as WinstonLogger } from 'winston';
import { scrubSecrets } from './scrub-secrets';

// triple-beam's LEVEL: the registered symbol winston's transports filter by.
const LEVEL = Symbol.for('level');

/** winston's npm levels, most to least severe. */
export type LogLevel = 'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug' | 'silly';

/** NavPlane's logger: a winston logger writing scrubbed JSON lines. */
export type Logger = WinstonLogger;

/** Options of createLogger. */
export interface CreateLoggerOptions {
  /** Least severe level written (`NAVPLANE_LOG_LEVEL`). */
  readonly level: LogLevel;
  /** Where JSON lines go (default process.stdout); tests pass a stream they read. */
  readonly stream?: Writable;
  /** Fields on every line, e.g. `{ service: 'gateway' }` (default none). */
  readonly base?: Readonly<Record<string, unknown>>;
}

/**
 * The winston format that masks secrets in every field of a line. It builds a new info object (the
 * caller's meta is never mutated) with timestamp, level and message first, keeping the LEVEL symbol
 * winston routes by; SPLAT is dropped since its arguments were already merged or interpolated.
 */
export const scrubFormat = format((info) => {
  const scrubbed = scrubSecrets(info) as Record<string, unknown>;
  const { timestamp, level, message, ...rest } = scrubbed;
  return Object.assign({ timestamp, level, message, ...rest }, { [LEVEL]: info[LEVEL] }) as typeof info;
});

// json() sorts keys unless told otherwise; insertion order puts timestamp, level, message first.
/** A winston logger writing one JSON line per entry with an ISO timestamp, secrets scrubbed (default stream: stdout). */
export function createLogger(options: CreateLoggerOptions): Logger {
  return createWinstonLogger({
    level: options.level,
    defaultMeta: options.base === undefined ? undefined : { ...options.base },
    format: format.combine(format.splat(), format.timestamp(), scrubFormat(), format.json({ deterministic: false })),
    transports: [new transports.Stream({ stream: options.stream ?? process.stdout })],
    exitOnError: false,
  });
}
