import { AppError, isAppError } from './app-error';
import { err, ok } from './result';

describe('AppError', () => {
  it('keeps code, retryable and cause', () => {
    const cause = new Error('socket hang up');
    const error = new AppError('upstream_unreachable', 'Upstream unreachable', { retryable: true, cause });
    expect(error.code).toBe('upstream_unreachable');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(isAppError(error)).toBe(true);
    expect(isAppError(new Error('x'))).toBe(false);
  });

  it('defaults to not retryable', () => {
    expect(new AppError('not_found', 'nope').retryable).toBe(false);
  });
});

describe('Result', () => {
  it('discriminates on ok', () => {
    const values = [ok(1), err('bad')];
    expect(values.map((r) => (r.ok ? r.value : r.error))).toEqual([1, 'bad']);
  });
});
