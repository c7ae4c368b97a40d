import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Recorded-format provider traffic for the provider conformance suite (libs/providers/src/conformance): one folder
// per provider id under libs/testing/fixtures/providers, each with a `cases.json` (what the adapter must make of the
// files beside it) and the request bodies, JSON responses and SSE streams in the provider's wire format.
// Resolved from this file, so it works from src/ (Jest) and from dist/ alike.
const ROOT = resolve(__dirname, '..', 'fixtures', 'providers');

/** A gateway request and where it must go: `pathSuffix` upstream, refused by the allowlist when `allowed` is false. */
export interface RouteCase {
  readonly method: string;
  readonly path: string;
  /** Request headers that decide the route (a root claim such as `anthropic-version`); default none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The upstream path; absent when the path must not resolve to any provider (`resolves: false`). */
  readonly pathSuffix?: string;
  /** False: the path resolves to this provider but is not part of its API (404 `route_not_found`). Default true. */
  readonly allowed?: boolean;
  /** False: the path is no route of any provider. Default true. */
  readonly resolves?: boolean;
}

/** A request and the model it names (null: the adapter reads none for this route, the response names it). */
export interface RequestCase {
  readonly name: string;
  readonly method: string;
  readonly pathSuffix: string;
  /** The raw query, without `?` (default none). */
  readonly query?: string;
  /** File name of the body (absent: no body). */
  readonly body?: string;
  readonly contentType?: string;
  readonly model: string | null;
}

/** Normalised usage as `@navplane/providers` reports it. */
export interface UsageCase {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly cacheWrite1hTokens?: number;
  readonly totalTokens: number;
}

/** One response of a usage-reporting route, as JSON and/or as a stream, and what must be read from it. */
export interface ExchangeCase {
  readonly name: string;
  readonly method: string;
  readonly pathSuffix: string;
  /** File name of the non-streamed JSON response. */
  readonly json?: string;
  /** File name of the SSE stream of the same answer. */
  readonly stream?: string;
  /** The stream, assembled, is a subset of the JSON response (every member the assembler builds equals the JSON's). */
  readonly assembledEqualsJson?: boolean;
  readonly model: string;
  readonly usage: UsageCase;
  /** When the request was made (ISO 8601): the price in force then applies. */
  readonly at: string;
  /** The cost from the price table, or null when the model is unpriced (`unknown`). */
  readonly costUsd: number | null;
}

/** What one provider's adapter must do, per `cases.json`. */
export interface ProviderCases {
  /** Set for an operator-defined OpenAI-compatible provider: how the conformance registry defines it. */
  readonly openaiCompatible?: { readonly auth: string };
  /** The base URL the conformance registry gives the provider. */
  readonly baseUrl: string;
  readonly routes: readonly RouteCase[];
  /** A stored key and the headers that must carry it upstream (vault mode). */
  readonly vaultKey: { readonly key: string; readonly headers: Readonly<Record<string, string>> };
  /** Where the provider's SDKs put their key. */
  readonly keyHeaders: readonly { readonly name: string; readonly scheme?: 'bearer' }[];
  /** Keys of this provider: each must be recognised as a provider key. */
  readonly keySamples: readonly string[];
  /** Client headers forwarded by name, and some that must not be. */
  readonly forwardedHeaders: { readonly allowed: readonly string[]; readonly refused: readonly string[] };
  readonly requests: readonly RequestCase[];
  readonly exchanges: readonly ExchangeCase[];
}

/** One provider's fixture folder. */
export interface ProviderFixtures {
  readonly id: string;
  readonly cases: ProviderCases;
  /** The bytes of a file of the folder (a plain function: callers take it out of the object). */
  readonly file: (name: string) => Buffer;
}

/** The provider ids that have a fixture folder, sorted. */
export function providerFixtureIds(): string[] {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, entry.name, 'cases.json')))
    .map((entry) => entry.name)
    .sort();
}

/** The fixture folder of provider `id`, or undefined when it has none. */
export function loadProviderFixtures(id: string): ProviderFixtures | undefined {
  const dir = join(ROOT, id);
  const casesFile = join(dir, 'cases.json');
  if (!existsSync(casesFile)) return undefined;
  return {
    id,
    cases: JSON.parse(readFileSync(casesFile, 'utf8')) as ProviderCases,
    file: (name) => readFileSync(join(dir, name)),
  };
}
