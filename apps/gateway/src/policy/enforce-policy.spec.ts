import { randomBytes } from 'node:crypto';
import { isAppError } from '@navplane/core';
import { DETECTOR_IDS, createRedactor, type PolicyMode, type Redactor } from '@navplane/policy';
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

function refusal(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('enforceRequestPolicy', () => {
  it('redacts under redact_upstream and records the findings', () => {
    const policy = state('redact_upstream');
    const enforced = enforceRequestPolicy(body, json, policy, limits);
    expect(enforced.rewritten).toBe(true);
    expect(enforced.text).toMatch(/mail \[EMAIL:[0-9a-f]{8}\]/);
    expect(policy.action).toBe('redacted');
    expect(policy.requestFindings).toHaveLength(1);
  });

  it('blocks under block, naming detectors and counts but no text', () => {
    const policy = state('block');
    const refused = refusal(() => enforceRequestPolicy(body, json, policy, limits));
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
    ['the body is over the limit', () => enforceRequestPolicy(body, json, state('block'), { ...limits, maxBodyBytes: 10 }), 'policy_unavailable'],
  ])('fails closed when %s', (_name, run, code) => {
    expect(refusal(run).code).toBe(code);
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

  it('records the failure reason on the policy state', () => {
    const policy = state('block');
    refusal(() => enforceRequestPolicy(body, json, policy, { ...limits, timeoutMs: -1 }));
    expect(policy).toMatchObject({ action: 'failed_closed', failure: 'timeout' });
    refusal(() => enforceRequestPolicy(body, json, throwing, limits));
    expect(throwing).toMatchObject({ action: 'failed_closed', failure: 'detector_error' });
  });
});
