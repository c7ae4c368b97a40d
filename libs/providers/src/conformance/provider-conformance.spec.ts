import { loadProviderFixtures, providerFixtureIds, type ExchangeCase, type ProviderFixtures } from '@navplane/testing';
import { createResponseAssembler, createStreamEventAssembler } from '../assemble/response-assembler';
import { createJsonTap } from '../json-tap';
import { estimateCost } from '../pricing/pricing';
import type { ProviderAdapter } from '../provider-adapter';
import { BUILT_IN_ADAPTERS } from '../registry/built-in-providers';
import { createProviderRegistry } from '../registry/provider-registry';
import { createRequestModelReader } from '../request-model/request-model-reader';
import { createStreamTap } from '../stream-tap';

// The provider conformance suite: every adapter of the registry is held to the recorded-format traffic in its folder
// under libs/testing/fixtures/providers/<id> (cases.json says what it must make of the files beside it). A new
// provider gets the whole suite by adding its folder; a folder with `openaiCompatible` defines an operator-defined
// provider the way the config file's `providers` list does. See libs/providers/README.md, "Adding a provider".

const fixtures = new Map(
  providerFixtureIds()
    .flatMap((id) => loadProviderFixtures(id) ?? [])
    .map((fixture): [string, ProviderFixtures] => [fixture.id, fixture]),
);

const registry = createProviderRegistry({
  baseUrls: Object.fromEntries(
    BUILT_IN_ADAPTERS.map((adapter) => [adapter.id, fixtures.get(adapter.id)?.cases.baseUrl ?? 'https://none.invalid']),
  ),
  openaiCompatible: [...fixtures.values()].flatMap(({ id, cases }) =>
    cases.openaiCompatible === undefined ? [] : [{ id, baseUrl: cases.baseUrl, auth: cases.openaiCompatible.auth }],
  ),
});

/** `bytes` cut into pieces of `size` (a stream or body as it arrives from the network). */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

const SPLITS = [Number.MAX_SAFE_INTEGER, 1, 7, 64];

describe('provider conformance', () => {
  it('covers every built-in provider, and every fixture folder is a provider of the registry', () => {
    expect(BUILT_IN_ADAPTERS.map((adapter) => adapter.id).filter((id) => !fixtures.has(id))).toEqual([]);
    expect([...fixtures.keys()].filter((id) => !registry.has(id))).toEqual([]);
    expect(registry.adapters.length).toBeGreaterThan(BUILT_IN_ADAPTERS.length); // an operator-defined one too
  });

  describe.each(registry.adapters.map((adapter): [string, ProviderAdapter] => [adapter.id, adapter]))('%s', (id, adapter) => {
    const fixture = fixtures.get(id);
    if (fixture === undefined) {
      it('has a fixture folder', () => {
        throw new Error(`add libs/testing/fixtures/providers/${id}/cases.json`);
      });
      return;
    }
    const { cases, file } = fixture;

    describe('routes', () => {
      it.each(
        cases.routes.map((route): [string, string, string, typeof route] => [
          route.method,
          route.path,
          route.headers === undefined ? '' : `with ${Object.keys(route.headers).join(', ')}`,
          route,
        ]),
      )('%s %s %s', (method, path, _with, route) => {
        const resolved = registry.resolve(path, route.headers);
        if (route.resolves === false) {
          expect(resolved).toBeUndefined();
          return;
        }
        expect(resolved?.adapter.id).toBe(id);
        expect(resolved?.pathSuffix).toBe(route.pathSuffix);
        const result = registry.route(method, path, route.headers);
        expect(result.ok).toBe(route.allowed ?? true);
        // A tenant-endpoint provider has no operator base URL: the one stored with the org's key (here the fixture's).
        const baseUrl = adapter.tenantBaseUrl === 'required' ? cases.baseUrl : registry.baseUrl(id);
        if (result.ok) expect(registry.upstreamUrl(result.value, 'a=1', cases.baseUrl)).toBe(`${baseUrl}${route.pathSuffix}?a=1`);
      });

      it('routes its main endpoint to it, under its prefix and under every root alias that covers it', () => {
        const checks = registry.routeChecks().filter((check) => check.provider === id);
        expect(checks.map((check) => check.path)).toContain(`${adapter.routePrefix}${adapter.probe.pathSuffix}`);
        for (const check of checks) {
          const result = registry.route(check.method, check.path, check.headers);
          expect(result.ok && result.value.adapter.id).toBe(id);
        }
      });
    });

    describe('telemetry', () => {
      // docs/observability.md: its main endpoint is a GenAI operation of the conventions, under a provider name.
      it('names its main endpoint a GenAI operation, and its files or listings none', () => {
        expect(adapter.genAiProviderName).toMatch(/^[a-z][a-z0-9._-]*$/);
        expect(['chat', 'generate_content']).toContain(adapter.genAiOperation(adapter.probe.method, adapter.probe.pathSuffix));
        expect(adapter.genAiOperation('GET', adapter.probe.pathSuffix)).toBeUndefined();
      });
    });

    describe('keys and headers', () => {
      it('injects a stored key where its API expects it', () => {
        expect(adapter.vaultAuthHeaders(cases.vaultKey.key)).toEqual(cases.vaultKey.headers);
      });

      it('takes a key where its SDKs put theirs, and knows its keys when it sees them', () => {
        expect(adapter.keyHeaders).toEqual(cases.keyHeaders);
        for (const sample of cases.keySamples) expect(registry.looksLikeProviderKey(sample)).toBe(true);
        expect(registry.looksLikeProviderKey('np_0123456789abcdef')).toBe(false);
      });

      it('forwards the headers its SDKs send, by name, and no other', () => {
        for (const name of cases.forwardedHeaders.allowed) expect([name, adapter.forwardedHeaderNames.has(name)]).toEqual([name, true]);
        for (const name of cases.forwardedHeaders.refused) expect([name, adapter.forwardedHeaderNames.has(name)]).toEqual([name, false]);
        for (const { name } of adapter.keyHeaders) expect([name, adapter.forwardedHeaderNames.has(name)]).toEqual([name, false]);
      });
    });

    it('has request cases (every provider names the model of some request)', () => {
      expect(cases.requests.length).toBeGreaterThan(0);
    });

    if (cases.requests.length > 0) {
      describe('the model a request names', () => {
        it.each(cases.requests.map((request): [string, typeof request] => [request.name, request]))('%s', (_name, request) => {
          const source = adapter.requestModelSource(request.method, request.pathSuffix, request.query ?? '');
          if (request.model === null) {
            expect(source).toBeUndefined();
            return;
          }
          if (source?.from === 'url') {
            expect(source.model).toBe(request.model);
            return;
          }
          expect(source).toBeDefined();
          const body = request.body === undefined ? Buffer.alloc(0) : file(request.body);
          for (const size of SPLITS) {
            const reader = createRequestModelReader(source?.from, { contentType: request.contentType, contentEncoding: undefined });
            for (const piece of pieces(body, size)) reader?.push(piece);
            // The URL names the model when the body does not (`fallback`: an Azure deployment).
            expect([size, reader?.model() ?? source?.fallback]).toEqual([size, request.model]);
          }
        });
      });
    }

    describe.each(cases.exchanges.map((exchange): [string, ExchangeCase] => [exchange.name, exchange]))('%s', (_name, exchange) => {
      const { method, pathSuffix } = exchange;

      it('is a usage-reporting route', () => {
        expect(adapter.reportsUsage(method, pathSuffix)).toBe(true);
      });

      if (exchange.json !== undefined) {
        const json = file(exchange.json);
        it('reads usage and model from the JSON response, whole or from its head and tail windows', () => {
          const parsed: unknown = JSON.parse(json.toString('utf8'));
          expect(adapter.usageFromJson(pathSuffix, parsed)).toEqual(exchange.usage);
          expect(adapter.modelFromJson(parsed)).toBe(exchange.model);
          for (const fullParseMaxBytes of [undefined, 16]) {
            const tap = createJsonTap({ adapter, method, pathSuffix, ...(fullParseMaxBytes === undefined ? {} : { fullParseMaxBytes }) });
            for (const piece of pieces(json, 7)) tap.push(piece);
            expect(tap.result()).toEqual({ malformed: false, usage: exchange.usage, model: exchange.model });
          }
        });
      }

      if (exchange.stream !== undefined) {
        const stream = file(exchange.stream);
        it('reads the same usage and model from the stream, however it is cut, forwarding it unchanged', () => {
          for (const size of SPLITS) {
            const tap = createStreamTap({ adapter });
            const forwarded = pieces(stream, size).flatMap((piece) => tap.push(piece));
            forwarded.push(...tap.end());
            expect(Buffer.concat(forwarded).equals(stream)).toBe(true);
            const result = tap.result();
            expect([size, result.usage, result.model]).toEqual([size, exchange.usage, exchange.model]);
            expect(result).toMatchObject({ complete: true, malformedEvents: 0 });
          }
        });
      }

      if (exchange.stream !== undefined && exchange.json !== undefined && exchange.assembledEqualsJson === true) {
        const stream = file(exchange.stream);
        const json: unknown = JSON.parse(file(exchange.json).toString('utf8'));
        it('assembles the stream, from the parse that reads its usage, into the non-streamed response', () => {
          const assembler = createStreamEventAssembler({ adapter });
          const tap = createStreamTap({ adapter, assembler });
          for (const piece of pieces(stream, 7)) tap.push(piece);
          const assembled = assembler.end();
          expect(assembled).toMatchObject({ complete: true, truncated: false, malformedEvents: 0 });
          expect(json).toMatchObject(assembled.body);
          // The same body as an assembler that parses the stream on its own.
          const alone = createResponseAssembler({ adapter });
          alone.push(stream);
          expect(alone.end().body).toEqual(assembled.body);
        });
      }

      it('costs what its price table says (unknown when unpriced, never $0)', () => {
        const estimate = estimateCost(id, exchange.model, exchange.usage, new Date(exchange.at));
        if (exchange.costUsd === null) {
          expect(estimate.status).toBe('unknown');
        } else {
          expect(estimate.status).toBe('estimated');
          if (estimate.status === 'estimated') expect(estimate.usd).toBeCloseTo(exchange.costUsd, 12);
        }
      });
    });
  });
});
