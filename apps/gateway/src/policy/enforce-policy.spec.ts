import { expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { isAppError } from '@navplane/core';
import {
  DETECTOR_IDS,
  PolicyEvaluationError,
  createRedactionPool,
  createRedactor,
  type PolicyMode,
  type RedactionPool,
  type Redactor,
} from '@navplane/policy';
import type { BodyEvaluator } from './body-content';
import { enforceRequestPolicy } from './enforce-policy';
import type { PolicyState } from './policy-state';

const redactor = createRedactor({ salt: randomBytes(32) });
const state = (mode: PolicyMode, with_: Redactor | undefined = redactor): PolicyState => ({
  effective: { policyId: 'pol_1', scope: { type: 'org' }, mode, detectors: DETECTOR_IDS },
  redactor: with_,
  action: 'none',
});
const limits = { maxBodyBytes: 1024 * 1024, timeoutMs: 1000 };
const json = { 'content-type': 'application/json' };
const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: 'mail jane.doe@example.com' }] }));

async function refusal(run: () => Promise<unknown>): Promise<{ code: string; message: string; retryable: boolean }> {
  try {
    await run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, retryable: error.retryable };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('enforceRequestPolicy', () => {
  it('redacts under redact_upstream and records the findings', async () => {
    const policy = state('redact_upstream');
    const enforced = await enforceRequestPolicy(body, json, policy, limits);
    expect(enforced.rewritten).toBe(true);
    expect(enforced.text).toMatch(/mail \[EMAIL:[0-9a-f]{8}\]/);
    expect(policy.action).toBe('redacted');
    expect(policy.requestFindings).toHaveLength(1);
  });

  it('blocks under block, naming detectors and counts but no text', async () => {
    const policy = state('block');
    const refused = await refusal(() => enforceRequestPolicy(body, json, policy, limits));
    expect(refused.code).toBe('policy_blocked');
    const message = refused.message;
    expect(message).toMatch(/email \(1\)/);
    expect(message).not.toContain('jane');
    expect(policy.action).toBe('blocked');
  });

  it.each([
    ['the deadline passed', () => enforceRequestPolicy(body, json, state('block'), { ...limits, timeoutMs: -1 }), 'policy_unavailable'],
    ['a detector throws', () => enforceRequestPolicy(body, json, throwing, limits), 'policy_unavailable'],
    ['no salt (no redactor)', () => enforceRequestPolicy(body, json, noRedactor, limits), 'policy_unavailable'],
    [
      'the body is over the limit',
      () => enforceRequestPolicy(body, json, state('block'), { ...limits, maxBodyBytes: 10 }),
      'policy_unavailable',
    ],
  ])('fails closed when %s', async (_name, run, code) => {
    expect((await refusal(run)).code).toBe(code);
  });

  const throwing = state('redact_upstream', {
    redactText: () => {
      throw new Error('boom');
    },
    scanText: () => {
      throw new Error('boom');
    },
  });
  const { redactor: _unused, ...withoutRedactor } = state('block');
  const noRedactor: PolicyState = withoutRedactor;

  it('records the failure reason on the policy state', async () => {
    const policy = state('block');
    await refusal(() => enforceRequestPolicy(body, json, policy, { ...limits, timeoutMs: -1 }));
    expect(policy).toMatchObject({ action: 'failed_closed', failure: 'timeout' });
    await refusal(() => enforceRequestPolicy(body, json, throwing, limits));
    expect(throwing).toMatchObject({ action: 'failed_closed', failure: 'detector_error' });
  });

  it('is asynchronous: refusals are rejections, never synchronous throws', () => {
    const pending = enforceRequestPolicy(body, json, noRedactor, limits);
    expect(pending).toBeInstanceOf(Promise);
    return expect(pending).rejects.toMatchObject({ code: 'policy_unavailable' });
  });

  it('decodes gzip and refuses an unknown Content-Encoding with 415', async () => {
    const enforced = await enforceRequestPolicy(gzipSync(body), { ...json, 'content-encoding': 'gzip' }, state('redact_upstream'), limits);
    expect(enforced).toMatchObject({ rewritten: true, text: expect.stringMatching(/\[EMAIL:[0-9a-f]{8}\]/) });
    const policy = state('redact_upstream');
    expect((await refusal(() => enforceRequestPolicy(body, { ...json, 'content-encoding': 'zstd' }, policy, limits))).code).toBe(
      'unsupported_media_type',
    );
    expect(policy.failure).toBe('unsupported_content_encoding');
  });
});

describe('enforceRequestPolicy with a redaction pool', () => {
  const large = Buffer.from(
    JSON.stringify({
      messages: Array.from({ length: 2000 }, (_, i) => ({ role: 'user', content: `turn ${i}: mail jane.doe+${i}@example.com` })),
    }),
  );
  let pool: RedactionPool;
  beforeAll(async () => {
    pool = createRedactionPool({ size: 1 });
    await pool.ready();
  }, 30_000);
  afterAll(() => pool.close());

  it('redacts a large body in a worker, byte for byte as inline, and forwards a small one inline', async () => {
    expect(large.length).toBeGreaterThan(pool.inlineMaxBytes);
    const inlinePolicy = state('redact_upstream');
    const inline = await enforceRequestPolicy(large, json, inlinePolicy, limits);
    const policy = state('redact_upstream');
    const pooled = await enforceRequestPolicy(large, json, policy, { ...limits, pool });
    expect(pooled).toEqual(inline);
    expect(pooled.rewritten).toBe(true);
    expect(pooled.text).not.toContain('@example.com');
    expect(policy).toMatchObject({ action: 'redacted' });
    expect(policy.requestFindings?.length).toBeGreaterThanOrEqual(2000);
    expect(policy.requestFindings).toEqual(inlinePolicy.requestFindings);
    expect(await enforceRequestPolicy(body, json, state('redact_upstream'), { ...limits, pool })).toEqual(
      await enforceRequestPolicy(body, json, state('redact_upstream'), limits),
    );
    const blocked = state('block');
    expect((await refusal(() => enforceRequestPolicy(large, json, blocked, { ...limits, pool }))).code).toBe('policy_blocked');
    expect(blocked.action).toBe('blocked');
  });

  it.each([
    [
      'the pool times out (deadline passed in its queue, queue full, or closed)',
      new PolicyEvaluationError('timeout', 'x'),
      'policy_unavailable',
      'timeout',
      true,
    ],
    ['its worker crashed', new PolicyEvaluationError('detector_error', 'x'), 'policy_unavailable', 'detector_error', false],
    ['the worker found invalid JSON', new PolicyEvaluationError('unparseable', 'x'), 'policy_unavailable', 'unparseable', false],
  ])('fails closed when %s', async (_name, error, code, failure, retryable) => {
    const failing: BodyEvaluator = { evaluate: () => Promise.reject(error) };
    const policy = state('redact_upstream');
    expect(await refusal(() => enforceRequestPolicy(large, json, policy, { ...limits, pool: failing }))).toMatchObject({ code, retryable });
    expect(policy).toMatchObject({ action: 'failed_closed', failure });
  });

  it('fails closed on what the worker could not decode', async () => {
    const tooLarge: BodyEvaluator = { evaluate: () => Promise.resolve({ ok: false, reason: 'too_large' }) };
    const policy = state('block');
    expect((await refusal(() => enforceRequestPolicy(large, json, policy, { ...limits, pool: tooLarge }))).code).toBe('policy_unavailable');
    expect(policy.failure).toBe('too_large');
  });

  it('hands the pool the body, its encoding and kind, the mode, the size bound and one deadline', async () => {
    const evaluate = jest.fn<ReturnType<BodyEvaluator['evaluate']>, Parameters<BodyEvaluator['evaluate']>>(() =>
      Promise.resolve({ ok: true, text: 'x', rewritten: false, findings: [] }),
    );
    const before = performance.now();
    await enforceRequestPolicy(large, { 'content-type': 'text/plain', 'content-encoding': 'identity' }, state('block'), {
      ...limits,
      pool: { evaluate },
    });
    const [usedRedactor, input, options] = evaluate.mock.calls[0] ?? [];
    expect(usedRedactor).toBe(redactor);
    expect(input).toEqual({ bytes: large, contentEncoding: 'identity', kind: 'text' });
    expect(options).toMatchObject({ mode: 'scan', maxBytes: limits.maxBodyBytes });
    expect(options?.deadline).toBeGreaterThanOrEqual(before + limits.timeoutMs);
    expect(options?.deadline).toBeLessThanOrEqual(performance.now() + limits.timeoutMs);
  });
});
