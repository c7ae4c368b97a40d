import { AppError, errorMessage, isAppError } from './app-error';
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

describe('errorMessage', () => {
  it("is an Error's message, and any other thrown value as text without its fields", () => {
    expect(errorMessage(new AppError('not_found', 'no such org'))).toBe('no such org');
    expect(errorMessage(new TypeError('bad'))).toBe('bad');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage({ password: 'hunter2' })).toBe('[object Object]');
  });
});

describe('Result', () => {
  it('discriminates on ok', () => {
    const values = [ok(1), err('bad')];
    expect(values.map((r) => (r.ok ? r.value : r.error))).toEqual([1, 'bad']);
  });
});
