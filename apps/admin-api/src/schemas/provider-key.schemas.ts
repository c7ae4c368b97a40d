import { SUPPORTED_PROVIDERS } from '@navplane/operations';
import { z } from 'zod';
import { pathId, timestamp } from './common.schemas';

/** A stored provider key: never the key, only its last 4 characters. */
export const providerKeySchema = z.object({
  provider: z.string().describe(`Provider: ${SUPPORTED_PROVIDERS.join(', ')} or an operator-defined provider of the config file`),
  last4: z.string(),
  createdAt: timestamp,
  rotatedAt: timestamp.nullable().describe('When it was last replaced'),
});

/** `:orgId/:provider` path parameters. */
export const providerKeyParams = z.strictObject({
  orgId: pathId('Org id (`org_…`)'),
  // The registry's ids: the built-in ones and the config file's `providers`; the operations refuse any other.
  provider: z.string().describe(`Provider id: ${SUPPORTED_PROVIDERS.join(', ')} or an operator-defined provider of the config file`),
});

/** `PUT /admin/orgs/:orgId/provider-keys/:provider` body. */
export const setProviderKeyBody = z.strictObject({
  key: z.string().min(8).max(4096).describe('The provider API key: stored encrypted, never shown again'),
});
