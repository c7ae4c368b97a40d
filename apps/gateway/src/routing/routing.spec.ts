import type { Route } from '@navplane/routing';
import { createMetricsRegistry } from '@navplane/telemetry';
import { createCircuitBreakers } from './circuit-breakers';
import { replaceJsonModel } from './json-model';
import { failureClass, retryAfterMs, statusClass } from './routed-request';
import { orderTargets, seededRandom } from './target-order';

const route = (strategy: Route['strategy'], weights: Array<number | undefined>): Route => ({
  model: 'smart',
  strategy,
  targets: weights.map((weight, index) => ({
    provider: 'openai',
    model: `m${index}`,
    key: 'default',
    ...(weight === undefined ? {} : { weight }),
  })),
});

describe('orderTargets', () => {
  it('keeps the listed order for fallback', () => {
    expect(orderTargets(route('fallback', [5, 1, 1]), seededRandom(1))).toEqual([0, 1, 2]);
  });

  it('picks by weight for loadbalance, the others following in order', () => {
    const order = orderTargets(route('loadbalance', [1, 1, 1]), () => 0.99);
    expect(order).toEqual([2, 0, 1]);
    expect(orderTargets(route('loadbalance', [1, 1, 1]), () => 0)).toEqual([0, 1, 2]);
  });

  it('splits 1,000 requests 3:1 within a binomial bound (seeded)', () => {
    const random = seededRandom(20261207);
    const weighted = route('loadbalance', [3, 1]);
    let first = 0;
    const n = 1000;
    for (let i = 0; i < n; i += 1) if (orderTargets(weighted, random)[0] === 0) first += 1;
    // Binomial(1000, 0.75): mean 750, sd ≈ 13.7; ±4 sd.
    const sd = Math.sqrt(n * 0.75 * 0.25);
    expect(Math.abs(first - 750)).toBeLessThanOrEqual(4 * sd);
  });

  it('defaults weights to 1 (an even split)', () => {
    const random = seededRandom(7);
    const even = route('loadbalance', [undefined, undefined]);
    let first = 0;
    for (let i = 0; i < 1000; i += 1) if (orderTargets(even, random)[0] === 0) first += 1;
    expect(Math.abs(first - 500)).toBeLessThanOrEqual(4 * Math.sqrt(250));
  });
});

describe('replaceJsonModel', () => {
  it('replaces only the top-level model, every other byte as sent', () => {
    const body = Buffer.from(
      '{ "messages":[{"role":"user","content":"model: \\"x\\""}],\n "model" : "smart", "n":1.50,"meta":{"model":"inner"} }',
    );
    expect(replaceJsonModel(body, 'gpt-4.1')?.toString()).toBe(
      '{ "messages":[{"role":"user","content":"model: \\"x\\""}],\n "model" : "gpt-4.1", "n":1.50,"meta":{"model":"inner"} }',
    );
  });

  it('reads an escaped key and writes the new name as a JSON string', () => {
    expect(replaceJsonModel(Buffer.from('{"mod\\u0065l":"smart"}'), 'a"b')?.toString()).toBe('{"mod\\u0065l":"a\\"b"}');
  });

  it('keeps multi-byte UTF-8 text byte for byte and replaces every top-level model (duplicates too)', () => {
    const body = Buffer.from('{"système":"naïve 🚀 \\"model\\": x","model":"smart","é":[{"model":"ü"}],"model":"smart"}', 'utf8');
    expect(replaceJsonModel(body, 'modèle-ü')?.toString('utf8')).toBe(
      '{"système":"naïve 🚀 \\"model\\": x","model":"modèle-ü","é":[{"model":"ü"}],"model":"modèle-ü"}',
    );
  });

  it('gives undefined for a body without a top-level model or not an object', () => {
    expect(replaceJsonModel(Buffer.from('{"x":{"model":"a"}}'), 'b')).toBeUndefined();
    expect(replaceJsonModel(Buffer.from('[1]'), 'b')).toBeUndefined();
    expect(replaceJsonModel(Buffer.from('{"model":'), 'b')).toBeUndefined();
  });
});

describe('failure classes', () => {
  it('maps statuses and failures onto retry.on', () => {
    expect(statusClass(429)).toBe('429');
    expect(statusClass(529)).toBe('5xx');
    expect(statusClass(503)).toBe('5xx');
    expect(statusClass(400)).toBeUndefined();
    expect(failureClass('connection_refused')).toBe('connect');
    expect(failureClass('connection_reset')).toBe('connect');
    expect(failureClass('connect_timeout')).toBe('timeout');
    expect(failureClass('response_timeout')).toBe('timeout');
    expect(failureClass('tls_failure')).toBeUndefined();
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe('createCircuitBreakers', () => {
  const target = { orgId: 'org_1', provider: 'openai', baseUrl: 'https://api.openai.com', model: 'gpt-4.1', keyName: 'default' };

  it('opens after N consecutive failures, lets one probe through after the cool-down, closes on success', async () => {
    let now = 0;
    const metrics = createMetricsRegistry({ collectDefault: false });
    const breakers = createCircuitBreakers({ failures: 3, cooldownMs: 1000, now: () => now, metrics });
    for (let i = 0; i < 2; i += 1) breakers.tryAcquire(target)?.failure();
    breakers.tryAcquire(target)?.success(); // a success resets the count
    for (let i = 0; i < 3; i += 1) breakers.tryAcquire(target)?.failure();
    expect(breakers.state(target)).toBe('open');
    expect(breakers.tryAcquire(target)).toBeUndefined();
    now = 1000;
    const probe = breakers.tryAcquire(target);
    expect(probe).toBeDefined();
    expect(breakers.tryAcquire(target)).toBeUndefined(); // one probe at a time
    probe?.failure();
    expect(breakers.state(target)).toBe('open');
    now = 2000;
    breakers.tryAcquire(target)?.success();
    expect(breakers.state(target)).toBe('closed');
    const text = await metrics.metrics();
    expect(text).toMatch(/navplane_circuit_breaker_transitions_total\{provider="openai",to="open"\} 2/);
    expect(text).toMatch(/navplane_circuit_breaker_transitions_total\{provider="openai",to="half_open"\} 2/);
    expect(text).toMatch(/navplane_circuit_breaker_transitions_total\{provider="openai",to="closed"\} 1/);
  });

  it('lists its breakers with their target, state, failures and when an open one lets a probe through', () => {
    let now = 5_000;
    const breakers = createCircuitBreakers({ failures: 2, cooldownMs: 1000, now: () => now });
    expect(breakers.snapshot()).toEqual([]);
    breakers.tryAcquire(target)?.failure();
    expect(breakers.snapshot()).toEqual([{ ...target, state: 'closed', failures: 1, openedAt: null, probeAt: null }]);
    breakers.tryAcquire(target)?.failure();
    expect(breakers.snapshot()).toEqual([{ ...target, state: 'open', failures: 2, openedAt: 5_000, probeAt: 6_000 }]);
    now = 6_000;
    expect(breakers.snapshot()).toEqual([{ ...target, state: 'half_open', failures: 2, openedAt: 5_000, probeAt: null }]);
    breakers.tryAcquire(target)?.success();
    expect(breakers.snapshot()).toEqual([]);
  });

  it('keeps breakers apart per org, model and key name; a released probe lets the next request probe', () => {
    let now = 0;
    const breakers = createCircuitBreakers({ failures: 1, cooldownMs: 10, now: () => now });
    breakers.tryAcquire(target)?.failure();
    expect(breakers.state(target)).toBe('open');
    expect(breakers.state({ ...target, orgId: 'org_2' })).toBe('closed');
    expect(breakers.state({ ...target, keyName: 'eu' })).toBe('closed');
    now = 10;
    breakers.tryAcquire(target)?.release();
    expect(breakers.tryAcquire(target)).toBeDefined();
  });
});
