import { attemptRows, attemptsSummary, renderAttempts } from './trace-attempts';

const attempts = [
  { provider: 'openai', model: 'gpt-4.1', key: 'default', status: null, failure: 'connection_refused', latencyMs: 2.4, backoffMs: 0 },
  { provider: 'azure-openai', model: 'gpt-4.1', key: 'eu', status: 200, failure: null, latencyMs: 310.2, backoffMs: 120 },
];

describe('trace attempts', () => {
  it('reads the stored JSON as numbered rows', () => {
    expect(attemptRows(attempts)).toEqual([
      {
        attempt: 1,
        provider: 'openai',
        model: 'gpt-4.1',
        key: 'default',
        status: null,
        failure: 'connection_refused',
        latencyMs: 2.4,
        backoffMs: 0,
      },
      { attempt: 2, provider: 'azure-openai', model: 'gpt-4.1', key: 'eu', status: 200, failure: null, latencyMs: 310.2, backoffMs: 120 },
    ]);
    expect(attemptRows(null)).toEqual([]);
  });

  it('summarises them on one line and as a table', () => {
    expect(attemptsSummary(attempts)).toBe(
      'openai/gpt-4.1 (default) connection_refused 2ms → azure-openai/gpt-4.1 (eu) 200 310ms after 120ms',
    );
    expect(attemptsSummary(null)).toBeNull();
    const table = renderAttempts(attempts) ?? '';
    expect(table).toContain('connection_refused');
    expect(table).toContain('azure-openai');
    expect(renderAttempts(undefined)).toBeUndefined();
  });
});
