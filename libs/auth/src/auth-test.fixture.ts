// Shared set-up for the auth specs (not built into dist).
import { newId, toIso } from '@navplane/core';
import type { Org, Repositories } from '@navplane/storage';

/** Creates an org with a fresh id. */
export function seedOrg(repos: Repositories, name = 'Acme', createdAtMs = Date.UTC(2026, 0, 1)): Promise<Org> {
  return repos.orgs.create({ id: newId('org'), name, createdAt: toIso(createdAtMs) });
}

/** Real repositories whose method calls are recorded as `repo.method` (counts queries; nothing is faked). */
export function countingRepositories(repos: Repositories): { repos: Repositories; calls: string[] } {
  const calls: string[] = [];
  const wrap = <T extends object>(name: string, target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value: unknown = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]): unknown => {
          calls.push(`${name}.${String(property)}`);
          return Reflect.apply(value, object, args);
        };
      },
    });
  // One counting proxy per repository, made on first use.
  const counted = new Map<string, object>();
  const wrapped = new Proxy(repos, {
    get(object, name, receiver) {
      const repo: unknown = Reflect.get(object, name, receiver);
      if (typeof name !== 'string' || typeof repo !== 'object' || repo === null) return repo;
      let proxy = counted.get(name);
      if (proxy === undefined) counted.set(name, (proxy = wrap(name, repo)));
      return proxy;
    },
  });
  return { repos: wrapped, calls };
}

/** Polls `check` every 10 ms until it returns true; resolves with the elapsed ms, rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Throws when `value` (any returned record) carries a secret: the key text, its secret part or a stored hash. */
export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  const text = JSON.stringify(value);
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/sha256:|\$argon2|secretHash|tokenHash/);
}
