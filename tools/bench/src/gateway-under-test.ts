// The NavPlane gateway as `npm run bench` measures it: auth (a NavPlane key), vault (the org's OpenAI key,
// encrypted), tracing to SQLite, body capture on and an org-wide `redact_storage` policy, so every request's
// bodies are redacted and stored with its trace. Set up only through the storage schema, the CLI and its env
// vars: nothing here depends on the gateway's internals.
import { randomBytes } from 'node:crypto';
import { describeLimitProblems, parseLimitDocument } from '@navplane/limits';
import { createRepositories, openDatabase, type JsonObject } from '@navplane/storage';
import { routeTable, sampleRoute } from '@navplane/testing';
import { seedGatewayOrg, startGateway, type Started } from './bench-processes';
import type { BenchRequest } from './open-loop';

/** The gateway's env beyond the defaults of startGateway: capture on, tracing to the database. */
export const GATEWAY_FEATURES_ENV: Readonly<Record<string, string>> = {
  NAVPLANE_CAPTURE_BODIES: 'true',
  NAVPLANE_TRACE_SINK: 'db',
};

/** A seeded database for featured gateways: its URL, master key, the org and its NavPlane key (id and secret). */
export interface SeededGateway {
  dbUrl: string;
  masterKey: Buffer;
  orgId: string;
  keyId: string;
  key: string;
}

/** The model name of the routed target's requests: the org's route (ROUTED_TABLE). */
export const ROUTE_MODEL = 'bench-routed';

/**
 * The org's routing table: `bench-routed` is a `fallback` route whose first target (OpenAI `gpt-4o-mini`, the model
 * the plain requests name) answers, so a routed request makes one upstream call, like a plain one; the second target
 * is never reached. In the shape the admin API stores (the specs' sample routes, @navplane/testing).
 */
const ROUTED_TABLE = routeTable(
  sampleRoute({
    model: ROUTE_MODEL,
    targets: [
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'openai', model: 'gpt-4o' },
    ],
  }),
).stored;

/**
 * Migrates `dbUrl` and seeds an org with an OpenAI key in the vault, a NavPlane key, the org policy
 * `{ scope: { type: 'org' }, mode: 'redact_storage' }` (every detector, as `PUT /admin/orgs/:orgId/policies` stores
 * it) and the routing table of the routed target. Gateways load every policy and route at start, so a gateway
 * started afterwards applies them from its first request.
 */
export async function seedFeaturedGateway(dbUrl: string): Promise<SeededGateway> {
  const masterKey = randomBytes(32);
  const { orgId, keyId, key } = await seedGatewayOrg(dbUrl, masterKey, [{ scopeType: 'org', mode: 'redact_storage' }]);
  const database = await openDatabase({ url: dbUrl, poolSize: 1 });
  try {
    await createRepositories(database).routes.put(orgId, ROUTED_TABLE, new Date().toISOString());
  } finally {
    await database.close();
  }
  return { dbUrl, masterKey, orgId, keyId, key };
}

/**
 * Stores `document` as the org's limits document in `dbUrl` (a copy of the seeded database, or the seeded database
 * itself), validated as `PUT /admin/orgs/:orgId/limits` validates it: a document the gateway would not apply throws
 * here instead of being measured as "limits on". Gateways load every org's limits at start.
 */
export async function putLimits(dbUrl: string, seeded: SeededGateway, document: JsonObject): Promise<void> {
  const parsed = parseLimitDocument(document, { orgId: seeded.orgId, hasKey: (id) => id === seeded.keyId });
  if (!parsed.ok) throw new Error(`bench limits document: ${describeLimitProblems(parsed.problems)}`);
  const database = await openDatabase({ url: dbUrl, poolSize: 1 });
  try {
    await createRepositories(database).limits.put(seeded.orgId, document, new Date().toISOString());
  } finally {
    await database.close();
  }
}

/**
 * Starts a featured gateway on a seeded database (`dbUrl`: another copy of it); `env` overrides (e.g.
 * NAVPLANE_TRACE_SINK=none).
 */
export function startFeaturedGateway(
  seeded: SeededGateway,
  options: { upstreamUrl: string; core: string; nodeArgs: string[]; env?: Record<string, string>; dbUrl?: string },
): Promise<Started> {
  return startGateway({
    dbUrl: options.dbUrl ?? seeded.dbUrl,
    masterKey: seeded.masterKey,
    upstreamUrl: options.upstreamUrl,
    core: options.core,
    nodeArgs: options.nodeArgs,
    env: { ...GATEWAY_FEATURES_ENV, ...options.env },
  });
}

/**
 * The bench's two requests: a plain (JSON) chat completion and the same one streamed, with `headers`, for `model`
 * (default `gpt-4o-mini`; ROUTE_MODEL for the routed target).
 */
export function chatRequests(headers: Record<string, string>, model = 'gpt-4o-mini'): { json: BenchRequest; stream: BenchRequest } {
  const messages = [{ role: 'user', content: 'Say hello to the benchmark' }];
  const path = '/v1/chat/completions';
  return {
    json: { path, headers, body: JSON.stringify({ model, messages }) },
    stream: { path, headers, body: JSON.stringify({ model, messages, stream: true }) },
  };
}

/** The authorization header of the seeded org. */
export const authHeaders = (seeded: SeededGateway): Record<string, string> => ({ authorization: `Bearer ${seeded.key}` });
