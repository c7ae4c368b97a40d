// Shared set-up for the vault's database specs (not built into dist).
import { randomBytes } from 'node:crypto';
import { newId, toIso } from '@navplane/core';
import {
  CHANGE_TOPICS,
  createChangeFeed,
  type ChangeFeed,
  type Database,
  type ProviderKeysRepository,
  type Repositories,
} from '@navplane/storage';

/** `value`, or a thrown test failure when it is undefined (instead of a non-null assertion). */
export function defined<T>(value: T | undefined, what = 'value'): T {
  if (value === undefined) throw new Error(`expected ${what} to be defined`);
  return value;
}

/** A random provider-key-like secret with a recognisable prefix. */
export const plaintextKey = (prefix = 'sk-test'): string => `${prefix}-${randomBytes(24).toString('hex')}`;

/** A fresh random 32-byte master key. */
export const masterKey = (): Buffer => randomBytes(32);

/** Creates an org (provider keys reference orgs) and returns its id. */
export async function seedOrg(repositories: Repositories, name = 'Acme'): Promise<string> {
  const org = await repositories.orgs.create({
    id: newId('org'),
    name,
    createdAt: toIso(Date.UTC(2026, 10, 23)),
  });
  return org.id;
}

/** Counts the calls of each repository method. */
export type CallCounts = Record<keyof ProviderKeysRepository, number>;

/** Wraps a repository so a test can count its queries (and optionally run `before` ahead of each call). */
export function countingRepository(
  inner: ProviderKeysRepository,
  before?: (method: keyof ProviderKeysRepository, args: unknown[]) => Promise<void> | void,
): { repository: ProviderKeysRepository; calls: CallCounts } {
  const calls: CallCounts = {
    upsert: 0,
    insertIfAbsent: 0,
    findByOrgAndProvider: 0,
    listByOrg: 0,
    delete: 0,
    deleteAllOfProvider: 0,
    listAllForRewrap: 0,
    updateWrapping: 0,
  };
  const wrap =
    <K extends keyof ProviderKeysRepository>(method: K) =>
    async (...args: Parameters<ProviderKeysRepository[K]>) => {
      calls[method] += 1;
      await before?.(method, args);
      return (inner[method] as (...a: unknown[]) => unknown)(...args);
    };
  const repository = {
    upsert: wrap('upsert'),
    insertIfAbsent: wrap('insertIfAbsent'),
    findByOrgAndProvider: wrap('findByOrgAndProvider'),
    listByOrg: wrap('listByOrg'),
    delete: wrap('delete'),
    deleteAllOfProvider: wrap('deleteAllOfProvider'),
    listAllForRewrap: wrap('listAllForRewrap'),
    updateWrapping: wrap('updateWrapping'),
  } as ProviderKeysRepository;
  return { repository, calls };
}

/** Started change feeds, closed together at the end of a suite. */
export class FeedPool {
  readonly #feeds: ChangeFeed[] = [];

  /** A started feed over `database`, with the production defaults (SQLite polls every 200 ms). */
  async start(database: Database): Promise<ChangeFeed> {
    const feed = createChangeFeed(database, { pollIntervalMs: 50, onError: () => undefined });
    this.#feeds.push(feed);
    await feed.start();
    return feed;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#feeds.splice(0).map((feed) => feed.close()));
  }
}

/** Resolves when `feed` delivers a `provider_key.changed` event for `orgId` (e.g. another instance's write). */
export function nextProviderKeyChange(feed: ChangeFeed, orgId: string, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no provider_key.changed for ${orgId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = feed.subscribe(CHANGE_TOPICS.providerKeyChanged, (payload) => {
      if (payload['orgId'] !== orgId) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** Polls `probe` until it returns true; resolves with the elapsed ms, or rejects after `timeoutMs`. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Flips the lowest bit of the first byte of a base64 field. */
export function flipBase64(value: string): string {
  const bytes = Buffer.from(value, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64');
}
