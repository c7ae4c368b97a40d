// Shared set-up for the repository specs (not built into dist).
import { newId, toIso } from '@navplane/core';
import type { Repositories } from './create-repositories';
import type { Org } from './orgs.repository';

/** A fixed instant plus `offsetMs`, as ISO text. */
export const at = (offsetMs = 0): string => toIso(Date.UTC(2026, 10, 23, 10) + offsetMs);

/** Creates an org with a fresh id. */
export function seedOrg(repositories: Repositories, name = 'Acme', createdAt = at()): Promise<Org> {
  return repositories.orgs.create({ id: newId('org'), name, createdAt });
}
