import { expect } from '@jest/globals';
import { Writable } from 'node:stream';
import { AppError } from '@navplane/core';
import { createLogger, type CreateLoggerOptions, type Logger } from './logger';

/** A logger writing into memory, and a way to read what it wrote once the pipeline has drained. */
function memoryLogger(options: Partial<Omit<CreateLoggerOptions, 'stream'>> = {}): {
  logger: Logger;
  output: () => Promise<string>;
} {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'info', ...options, stream });
  return {
    logger,
    output: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const CANARIES = {
  navplane: 'np_CANARYnavplane0123456789abcdef',
  openai: 'sk-CANARYopenai0123456789abcdef',
  project: 'sk-proj-CANARYproject0123456789_abc',
  anthropic: 'sk-ant-api03-CANARYanthropic0123456789-xyz',
  bearer: 'CANARYbearer.token-value_0123',
  aws: 'AKIACANARY0123456789',
  password: 'CANARYpassword!',
  provider: 'CANARYunshapedProviderKey',
  masterKey: 'CANARYmasterKeyBase64==',
};

describe('createLogger', () => {
  it('writes one JSON line per entry with timestamp, level, message and base fields', async () => {
    const { logger, output } = memoryLogger({ base: { service: 'gateway' } });
    logger.info('gateway listening', { port: 8080 });
    const [line] = lines(await output());
    expect(line).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'info',
      message: 'gateway listening',
      port: 8080,
      service: 'gateway',
    });
    expect(Object.keys(line ?? {}).slice(0, 3)).toEqual(['timestamp', 'level', 'message']);
  });

  it('filters by level', async () => {
    const quiet = memoryLogger();
    quiet.logger.debug('hidden');
    quiet.logger.warn('shown');
    expect(lines(await quiet.output()).map((l) => l['message'])).toEqual(['shown']);

    const verbose = memoryLogger({ level: 'debug' });
    verbose.logger.debug('now shown');
    expect(lines(await verbose.output()).map((l) => l['message'])).toEqual(['now shown']);
  });

  it('never writes a canary secret, wherever it is logged', async () => {
    const { logger, output } = memoryLogger({ base: { service: 'gateway' } });
    const meta = {
      headers: {
        authorization: `Bearer ${CANARIES.bearer}`,
        'x-api-key': CANARIES.provider,
        'X-NavPlane-Key': CANARIES.navplane,
        cookie: `session=${CANARIES.password}`,
      },
      upstream: { keys: [CANARIES.openai, { value: CANARIES.project }] },
      config: { masterKey: CANARIES.masterKey, databaseUrl: `postgres://np:${CANARIES.password}@db/np` },
      password: CANARIES.password,
    };
    const metaBefore = JSON.stringify(meta);

    logger.info(`client used ${CANARIES.navplane} and Bearer ${CANARIES.bearer}`, meta);
    logger.warn('aws key %s leaked in %s', CANARIES.aws, 'a message');
    logger.error(new Error(`upstream rejected ${CANARIES.anthropic}`));
    logger.error('proxy failed', new Error(`bad key ${CANARIES.openai}`));
    logger.error('request failed', {
      err: new AppError('upstream_unreachable', `refused ${CANARIES.project}`, {
        cause: new Error(`inner ${CANARIES.anthropic}`),
      }),
    });
    logger.child({ apiKey: CANARIES.provider }).info('child line', { token: CANARIES.bearer });
    logger.info({ message: `object form ${CANARIES.aws}`, secret: CANARIES.password });

    const text = await output();
    expect(lines(text)).toHaveLength(7);
    expect(text).not.toContain('CANARY');
    for (const canary of Object.values(CANARIES)) expect(text).not.toContain(canary);
    expect(JSON.stringify(meta)).toBe(metaBefore); // the caller's meta is not mutated
  });

  it('keeps hints and normal text intact', async () => {
    const { logger, output } = memoryLogger();
    logger.info('proxied request', {
      route: '/openai/v1/chat/completions',
      model: 'gpt-4o',
      usage: { input_tokens: 12, output_tokens: 34 },
      headers: { authorization: `Bearer ${CANARIES.bearer}`, 'content-type': 'application/json' },
      key: CANARIES.navplane,
    });
    logger.error('boom', { err: new Error(`with ${CANARIES.openai}`) });
    const [info, error] = lines(await output());
    expect(info).toMatchObject({
      message: 'proxied request',
      route: '/openai/v1/chat/completions',
      model: 'gpt-4o',
      usage: { input_tokens: 12, output_tokens: 34 },
      headers: { authorization: 'Bearer ***', 'content-type': 'application/json' },
      key: 'np_***',
    });
    expect(error?.['err']).toMatchObject({
      name: 'Error',
      message: 'with sk-***',
      stack: expect.stringContaining('at '),
    });
  });

  it('writes errors logged on their own with message and stack', async () => {
    const { logger, output } = memoryLogger();
    logger.error(new AppError('internal_error', 'broken'));
    const [line] = lines(await output());
    expect(line).toMatchObject({ level: 'error', message: 'broken', code: 'internal_error' });
    expect(String(line?.['stack'])).toContain('AppError: broken');
  });
});
