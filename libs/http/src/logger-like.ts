/** The slice of a logger this lib needs; winston loggers from @navplane/telemetry satisfy it. */
export interface LoggerLike {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
}
