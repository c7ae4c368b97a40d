import { randomBytes } from 'node:crypto';
import { isAppError } from '@navplane/core';
import { createRedactor, type PolicyRule } from '@navplane/policy';
import { anthropicAdapter, openaiAdapter } from '@navplane/providers';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WithCredential } from '../gateway-context';
import { Pipeline } from '../pipeline/pipeline';
import { UpstreamCredential } from '../pipeline/upstream-credential';
import type { PolicyState } from './policy-state';
import { resolveRequestPolicy, type ResolvePolicyOptions } from './policy.step';

const redactor = createRedactor({ salt: randomBytes(32) });

function contextFor(provider: 'openai' | 'anthropic' = 'openai'): WithCredential & { policy?: PolicyState } {
  return {
    traceId: 'trc_1',
    requestId: 'req_1',
    method: 'POST',
    path: '/v1/chat/completions',
    rawQuery: '',
    startedAt: 0,
    startedAtMs: 0,
    lineage: { traceGroup: null, threadId: null, runId: null, parentTraceId: null },
    route: {
      adapter: provider === 'openai' ? openaiAdapter : anthropicAdapter,
      pathSuffix: '/v1/chat/completions',
      baseUrl: 'http://127.0.0.1:1',
    },
    key: { id: 'key_1', orgId: 'org_1', workspaceId: null, scopes: ['proxy'], name: 'test' },
    credentialMode: 'vault',
    upstreamCredential: UpstreamCredential.none,
  };
}

async function run(options: Partial<ResolvePolicyOptions>, rules: readonly PolicyRule[] | 'unknown' | 'down' = []) {
  const context = contextFor();
  const step = resolveRequestPolicy({
    policies: {
      peek: () => (rules === 'unknown' || rules === 'down' ? undefined : rules),
      load: () => (rules === 'down' ? Promise.reject(new Error('database is down')) : Promise.resolve([])),
    },
    getRedactor: () => Promise.resolve(redactor),
    captureBodies: false,
    captureLimits: { storeChars: 4096, redactBytes: 65_536, timeoutMs: 1000 },
    ...options,
  });
  let passed: unknown = 'not called';
  let synchronous = false;
  await new Promise<void>((resolve) => {
    const handle = Pipeline.begin<WithCredential>()
      .then(step)
      .end(
        () => {
          passed = undefined;
          resolve();
        },
        (error) => {
          passed = error;
          resolve();
        },
      );
    handle(context, { req: {} as IncomingMessage, res: {} as ServerResponse });
    synchronous = passed !== 'not called';
  });
  return { context, passed, synchronous };
}

const rule = (mode: PolicyRule['mode']): PolicyRule => ({ id: 'pol_1', scopeType: 'org', scopeValue: null, mode });

describe('resolveRequestPolicy', () => {
  it('does nothing on a warm request of an org with no policy and capture off', async () => {
    const getRedactor = jest.fn(() => Promise.resolve(redactor));
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
      const { passed, context } = await run({ getRedactor: () => Promise.resolve(undefined) }, [rule(mode)]);
      expect(isAppError(passed) && passed.code).toBe('policy_unavailable');
      expect(context.policy?.failure).toBe('salt_unavailable');
    }
  });

  it('under redact_storage without a salt lets the request through and stores no body', async () => {
    const { passed, context } = await run({ getRedactor: () => Promise.resolve(undefined), captureBodies: true }, [rule('redact_storage')]);
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
