import { randomBytes } from 'node:crypto';
import { isAppError } from '@navplane/core';
import { createRedactor, type PolicyRule } from '@navplane/policy';
import { anthropicAdapter, openaiAdapter } from '@navplane/providers';
import type { NextFunction, Request, Response } from 'express';
import type { GatewayContext } from '../gateway-context';
import { resolveRequestPolicy, type ResolvePolicyOptions } from './policy.middleware';

const redactor = createRedactor({ salt: randomBytes(32) });

function contextFor(provider: 'openai' | 'anthropic' = 'openai'): GatewayContext {
  return {
    traceId: 'trc_1',
    requestId: 'req_1',
    method: 'POST',
    path: '/v1/chat/completions',
    startedAt: 0,
    startedAtMs: 0,
    route: { adapter: provider === 'openai' ? openaiAdapter : anthropicAdapter, pathSuffix: '/v1/chat/completions' } as GatewayContext['route'],
    key: { id: 'key_1', orgId: 'org_1', workspaceId: null, scopes: ['proxy'] } as unknown as GatewayContext['key'],
  };
}

async function run(options: Partial<ResolvePolicyOptions>, rules: readonly PolicyRule[] | 'unknown' | 'down' = []) {
  const context = contextFor();
  const handler = resolveRequestPolicy({
    policies: {
      peek: () => (rules === 'unknown' || rules === 'down' ? undefined : rules),
      load: async () => {
        if (rules === 'down') throw new Error('database is down');
        return [];
      },
    },
    getRedactor: async () => redactor,
    captureBodies: false,
    captureLimits: { storeChars: 4096, redactBytes: 65_536, timeoutMs: 1000 },
    ...options,
  });
  let passed: unknown = 'not called';
  const next: NextFunction = (error?: unknown) => {
    passed = error;
  };
  const returned: unknown = handler({} as Request, { locals: { gateway: context } } as unknown as Response, next);
  await returned;
  return { context, passed, synchronous: returned === undefined };
}

const rule = (mode: PolicyRule['mode']): PolicyRule => ({ id: 'pol_1', scopeType: 'org', scopeValue: null, mode });

describe('resolveRequestPolicy', () => {
  it('does nothing on a warm request of an org with no policy and capture off', async () => {
    const getRedactor = jest.fn(async () => redactor);
    const { context, passed, synchronous } = await run({ getRedactor });
    expect(passed).toBeUndefined();
    expect(synchronous).toBe(true); // no promise per request on the warm path
    expect(context.policy).toMatchObject({ effective: { mode: 'off', policyId: null }, action: 'none' });
    expect(context.policy?.capture).toBeUndefined();
    expect(getRedactor).not.toHaveBeenCalled();
  });

  it('loads an org whose policies are unknown, and fails closed when they cannot be read', async () => {
    expect((await run({}, 'unknown')).passed).toBeUndefined();
    const { passed, context } = await run({}, 'down');
    expect(isAppError(passed) && passed.code).toBe('policy_unavailable');
    expect(context.policy).toMatchObject({ action: 'failed_closed', failure: 'policy_store_unavailable' });
  });

  it('fails closed under block and redact_upstream when the salt cannot be read', async () => {
    for (const mode of ['block', 'redact_upstream'] as const) {
      const { passed, context } = await run({ getRedactor: async () => undefined }, [rule(mode)]);
      expect(isAppError(passed) && passed.code).toBe('policy_unavailable');
      expect(context.policy?.failure).toBe('salt_unavailable');
    }
  });

  it('under redact_storage without a salt lets the request through and stores no body', async () => {
    const { passed, context } = await run({ getRedactor: async () => undefined, captureBodies: true }, [rule('redact_storage')]);
    expect(passed).toBeUndefined();
    expect(context.policy?.capture).toBeUndefined();
    expect(context.policy?.captureSkipped).toBe('salt_unavailable');
  });

  it('prepares capture when bodies are captured, and none under an off policy', async () => {
    expect((await run({ captureBodies: true })).context.policy?.capture).toBeDefined();
    const off = await run({ captureBodies: true }, [rule('off')]);
    expect(off.context.policy?.capture).toBeUndefined();
    expect(off.context.policy?.captureSkipped).toBe('policy_off');
  });
});
