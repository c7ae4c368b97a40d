import { AppError } from '@navplane/core';
import { isSecretFieldName, scrubSecrets } from './scrub-secrets';

const json = (value: unknown) => JSON.stringify(value);

describe('isSecretFieldName', () => {
  it.each([
    'authorization',
    'Authorization',
    'proxy-authorization',
    'x-api-key',
    'X-API-KEY',
    'api_key',
    'apiKey',
    'password',
    'dbPassword',
    'token',
    'accessToken',
    'csrf_token',
    'secret',
    'clientSecret',
    'master_key',
    'masterKey',
    'NAVPLANE_MASTER_KEY',
    'NAVPLANE_ADMIN_TOKEN',
    'cookie',
    'set-cookie',
    'x-navplane-key',
    'providerKey',
    'credentials',
  ])('%s is secret', (name) => {
    expect(isSecretFieldName(name)).toBe(true);
  });

  it.each(['tokens', 'max_tokens', 'inputTokens', 'tokenCount', 'keyId', 'key', 'credentialMode', 'secretary', 'message', 'pwd'])(
    '%s is not secret',
    (name) => {
      expect(isSecretFieldName(name)).toBe(false);
    },
  );
});

describe('scrubSecrets', () => {
  it('masks values of secret-named fields at any depth, keeping a hint', () => {
    const out = scrubSecrets({
      request: {
        headers: {
          Authorization: 'Bearer CANARYtoken',
          'X-Api-Key': 'sk-ant-CANARY',
          'x-navplane-key': 'np_CANARY0123456789',
          cookie: 'a=CANARY',
          'set-cookie': ['a=CANARY1', 'b=CANARY2'],
          'content-type': 'application/json',
        },
        body: { password: 'CANARYhunter2', pin: { secret: 1234 }, model: 'gpt-4o', max_tokens: 100 },
      },
    });
    expect(json(out)).not.toContain('CANARY');
    expect(out).toEqual({
      request: {
        headers: {
          Authorization: 'Bearer ***',
          'X-Api-Key': 'sk-ant-***',
          'x-navplane-key': 'np_***',
          cookie: '***',
          'set-cookie': ['***', '***'],
          'content-type': 'application/json',
        },
        body: { password: '***', pin: { secret: '***' }, model: 'gpt-4o', max_tokens: 100 },
      },
    });
  });

  it('masks secret-shaped text in any string, array item and object key', () => {
    const out = scrubSecrets({
      list: ['ok', 'sk-proj-CANARY0123456789', ['deep AKIACANARY0123456789']],
      np_CANARYkeyAsAKey01: 1,
      note: 'call with Bearer CANARY',
    });
    expect(json(out)).not.toContain('CANARY');
    expect(out).toEqual({
      list: ['ok', 'sk-proj-***', ['deep AKIA***']],
      'np_***': 1,
      note: 'call with Bearer ***',
    });
  });

  it('turns Errors into plain objects with scrubbed message, stack, cause and fields', () => {
    const cause = new Error('upstream said sk-ant-CANARYcause');
    const error = new AppError('upstream_unreachable', 'failed with np_CANARY0123456789', {
      cause,
      details: { apiKey: 'CANARYdetail' },
    });
    const out = scrubSecrets({ err: error }) as { err: Record<string, unknown> };
    expect(json(out)).not.toContain('CANARY');
    expect(out.err).toMatchObject({
      name: 'AppError',
      message: 'failed with np_***',
      code: 'upstream_unreachable',
      details: { apiKey: '***' },
      cause: { name: 'Error', message: 'upstream said sk-ant-***' },
    });
    expect(String(out.err['stack'])).toMatch(/^AppError: failed with np_\*\*\*\n\s+at /);
  });

  it('is cycle-safe and copies shared (non-cyclic) references', () => {
    const shared = { v: 1 };
    const node: Record<string, unknown> = { name: 'root', a: shared, b: shared };
    node['self'] = node;
    node['list'] = [node];
    expect(scrubSecrets(node)).toEqual({
      name: 'root',
      a: { v: 1 },
      b: { v: 1 },
      self: '[Circular]',
      list: ['[Circular]'],
    });
  });

  it('does not mutate its input', () => {
    const input = {
      headers: { authorization: 'Bearer CANARY' },
      list: ['sk-CANARY0123456789'],
      err: new Error('np_CANARY0123456789'),
    };
    const before = json(input);
    const out = scrubSecrets(input);
    expect(json(input)).toBe(before);
    expect(input.err.message).toBe('np_CANARY0123456789');
    expect(out).not.toBe(input);
  });

  it('summarises binary data instead of copying it', () => {
    const out = scrubSecrets({ masterKey: Buffer.alloc(32, 1), blob: new Uint8Array(3) });
    expect(out).toEqual({ masterKey: '[binary 32 bytes]', blob: '[binary 3 bytes]' });
  });

  it('reads Maps, Headers and URLs the way they serialise', () => {
    const out = scrubSecrets({
      map: new Map([['authorization', 'Bearer CANARY']]),
      headers: new Headers({ 'x-api-key': 'CANARYprovider', accept: 'text/event-stream' }),
      url: new URL('https://user:CANARY@example.com/x'),
    });
    expect(json(out)).not.toContain('CANARY');
    expect(out).toEqual({
      map: { authorization: 'Bearer ***' },
      headers: { accept: 'text/event-stream', 'x-api-key': '***' },
      url: 'https://user:***@example.com/x',
    });
  });

  it('passes plain values through', () => {
    const date = new Date(0);
    expect(scrubSecrets('hello')).toBe('hello');
    expect(scrubSecrets(42)).toBe(42);
    expect(scrubSecrets(null)).toBeNull();
    expect(scrubSecrets(undefined)).toBeUndefined();
    expect(scrubSecrets({ at: date, enabled: true, n: 1.5 })).toEqual({ at: date, enabled: true, n: 1.5 });
  });
});
