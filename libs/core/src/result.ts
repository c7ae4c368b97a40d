/** A successful outcome carrying `value`. */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

/** An expected failure carrying `error` (bugs are exceptions, not Results). */
export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

/** The outcome of an operation whose failure is an expected value. */
export type Result<T, E> = Ok<T> | Err<E>;

/** Wraps a value as a successful Result. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Wraps an expected failure as a Result. */
export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}
