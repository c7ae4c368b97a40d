import { SUPPORTED_PROVIDERS } from '@navplane/operations';
import { z } from 'zod';
import { pathId, timestamp } from './common.schemas';

/** A stored provider key: never the key, only its last 4 characters. */
export const providerKeySchema = z.object({
  provider: z.string().describe(`Provider: ${SUPPORTED_PROVIDERS.join(', ')} or an operator-defined provider of the config file`),
  name: z.string().describe('The key name within its provider (`default` unless named; routes pick keys by name)'),
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

/** A provider key name as the admin API takes it; the operations check the name rule (KEY_NAME, docs/routing.md). */
const keyName = (what: string) =>
  z
    .string()
    .max(64)
    .describe(`${what}. A name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit (else 400 invalid_request)`);

/** `PUT /admin/orgs/:orgId/provider-keys/:provider` body. */
export const setProviderKeyBody = z.strictObject({
  key: z.string().min(8).max(4096).describe('The provider API key: stored encrypted, never shown again'),
  name: keyName(
    'The key name (default `default`); an org may hold several named keys per provider, which routes pick by name. Storing under an existing name replaces that key',
  ).optional(),
  baseUrl: z
    .string()
    .max(2048)
    .optional()
    .describe(
      "Only for providers whose upstream is the tenant's own endpoint, and required for them (azure-openai: https://<resource>.openai.azure.com). Must be https, carry no credentials, query or fragment, and neither be nor resolve to a private, loopback or link-local address unless its host is in NAVPLANE_UPSTREAM_ALLOWLIST (else 400 invalid_request). Any other provider refuses it (400 invalid_request).",
    ),
});

/** `DELETE /admin/orgs/:orgId/provider-keys/:provider` query. */
export const deleteProviderKeyQuery = z.strictObject({
  name: keyName('Delete only the key of this name (absent: every key of the provider)').optional(),
});
