import { SUPPORTED_PROVIDERS } from '@navplane/operations';
import { z } from 'zod';
import { pathId, timestamp } from './common.schemas';

/** A stored provider key: never the key, only its last 4 characters. */
export const providerKeySchema = z.object({
  provider: z.string().describe(`Provider: ${SUPPORTED_PROVIDERS.join(', ')} or an operator-defined provider of the config file`),
  last4: z.string(),
  createdAt: timestamp,
  rotatedAt: timestamp.nullable().describe('When it was last replaced'),
  baseUrl: z
    .string()
    .optional()
    .describe("The tenant's own endpoint stored with the key; present only for providers whose upstream is the tenant's (azure-openai)"),
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
  baseUrl: z
    .string()
    .max(2048)
    .optional()
    .describe(
      "Only for providers whose upstream is the tenant's own endpoint, and required for them (azure-openai: https://<resource>.openai.azure.com). Must be https, carry no credentials, query or fragment, and neither be nor resolve to a private, loopback or link-local address unless its host is in NAVPLANE_UPSTREAM_ALLOWLIST (else 400 invalid_request). Any other provider refuses it (400 invalid_request).",
    ),
});
