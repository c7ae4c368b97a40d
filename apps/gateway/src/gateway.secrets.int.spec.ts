import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { TEST_DIALECTS } from '@navplane/testing';
import {
  ANTHROPIC_PASSTHROUGH_KEY,
  ANTHROPIC_TEST_KEY,
  OPENAI_PASSTHROUGH_KEY,
  OPENAI_TEST_KEY,
  startGatewayHarness,
  type GatewayHarness,
} from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const run = promisify(execFile);

/** Every way a secret could sit in a dump: as text, base64, hex. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
}

describe.each(TEST_DIALECTS)('no secret at rest or in logs on %s', (dialect) => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness(dialect, { env: { NAVPLANE_LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('stores provider keys, proxies in both modes, and leaves no plaintext key anywhere', async () => {
    const orgId = await h.createOrg();
    const { key } = await h.issueKey(orgId);
    await h.storeProviderKey(orgId, 'openai', OPENAI_TEST_KEY);
    await h.storeProviderKey(orgId, 'anthropic', ANTHROPIC_TEST_KEY);

    const openai = new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    await new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 }).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const byok = new OpenAI({
      apiKey: OPENAI_PASSTHROUGH_KEY,
      baseURL: `${h.url}/v1`,
      defaultHeaders: { 'X-NavPlane-Key': key },
      maxRetries: 0,
    });
    await byok.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await new Anthropic({
      apiKey: ANTHROPIC_PASSTHROUGH_KEY,
      baseURL: h.url,
      defaultHeaders: { 'X-NavPlane-Key': key },
      maxRetries: 0,
    }).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    // A refused request with a key-like secret in it must not leak either.
    await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}x` }, body: '{}' });
    expect((await h.traces(orgId)).length).toBeGreaterThanOrEqual(5);

    let haystack: string;
    if (dialect === 'sqlite') {
      const file = h.testDb.url.slice('sqlite:'.length);
      const dir = dirname(file);
      const names = await readdir(dir);
      // The database file and its WAL/SHM: raw bytes read as latin1 so nothing is lost in decoding.
      const contents = await Promise.all(names.map((name) => readFile(join(dir, name))));
      haystack = contents.map((b) => b.toString('latin1')).join('\n');
      expect(haystack.length).toBeGreaterThan(0);
    } else {
      const { stdout } = await run('pg_dump', ['--no-owner', '--data-only', h.testDb.url], { maxBuffer: 64 * 1024 * 1024 });
      haystack = stdout;
      expect(haystack).toContain('COPY public.traces');
    }
    const logs = h.logs();
    // The debug log carried the upstream headers (credentials included) through the scrubber.
    expect(logs).toContain('forwarding upstream');
    expect(logs).toContain('"authorization"');
    expect(logs).toContain('"status":200');

    for (const secret of [OPENAI_TEST_KEY, ANTHROPIC_TEST_KEY, OPENAI_PASSTHROUGH_KEY, ANTHROPIC_PASSTHROUGH_KEY, key]) {
      for (const form of forms(secret)) {
        expect(haystack.includes(form)).toBe(false);
        expect(logs.includes(form)).toBe(false);
      }
    }
    // The NavPlane key's secret part is not stored either (only its public id and a hash).
    const secretPart = key.split('_')[2] as string;
    expect(haystack.includes(secretPart)).toBe(false);
  });
});
