/** Where a provider-key secret belongs: the AAD binds its ciphertext and its wrapped DEK to exactly this. */
export interface SecretContext {
  orgId: string;
  provider: string;
  /** The provider_keys row id (kept when the key is replaced, so the context of a row never changes). */
  rowId: string;
  /**
   * The key's name within its org and provider (absent = `default`). Bound into both AADs for any other name, so a
   * row whose `name` was rewritten in the database (to serve it under another name) no longer decrypts; `default` adds
   * nothing, so keys sealed before keys had names (all `default`) open unchanged.
   */
  name?: string;
  /**
   * The tenant's endpoint stored with the key (Azure OpenAI), bound into the secret's AAD so a row whose `base_url`
   * was changed in the database (to send the key elsewhere) no longer decrypts. Not in the DEK's AAD: re-wrapping
   * under a new master key never needs it.
   */
  baseUrl?: string;
}

/** The versioned label every provider-key AAD starts with (bump `v1` if the format ever changes). */
export const PROVIDER_KEY_AAD_LABEL = 'navplane/provider-key/v1';

/** The key name that adds nothing to an AAD (every key stored before keys had names is `default`). */
const DEFAULT_KEY_NAME = 'default';

const SEPARATOR = '|';
// eslint-disable-next-line no-control-regex
const FORBIDDEN_COMPONENT_CHARACTERS = /[|\u0000-\u001f\u007f]/;

/**
 * True when `value` may be an AAD component: non-empty, at most 200 characters, no separator and no control
 * characters. With separators excluded, two different contexts can never produce the same AAD text.
 */
export function isAadComponent(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 && !FORBIDDEN_COMPONENT_CHARACTERS.test(value);
}

// eslint-disable-next-line no-control-regex
const FORBIDDEN_URL_CHARACTERS = /[\s\u0000-\u001f\u007f]/;

/** True when `value` may be bound as a base URL: 1-2048 characters, no white space or control characters. */
export function isAadBaseUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 2048 && !FORBIDDEN_URL_CHARACTERS.test(value);
}

/** True when every component of `context` is a valid AAD component. */
export function isValidContext(context: SecretContext): boolean {
  return (
    isAadComponent(context.orgId) &&
    isAadComponent(context.provider) &&
    isAadComponent(context.rowId) &&
    (context.name === undefined || isAadComponent(context.name)) &&
    (context.baseUrl === undefined || isAadBaseUrl(context.baseUrl))
  );
}

function assertContext(context: SecretContext): void {
  if (!isValidContext(context)) throw new Error('Invalid provider-key context (empty, too long, or contains "|")');
}

/** The components every AAD of `context` starts with: label, org, provider, row, and `name:<name>` unless `default`. */
function keyParts(context: SecretContext): string[] {
  const parts = [PROVIDER_KEY_AAD_LABEL, context.orgId, context.provider, context.rowId];
  if (context.name !== undefined && context.name !== DEFAULT_KEY_NAME) parts.push(`name:${context.name}`);
  return parts;
}

/**
 * AAD of a secret's ciphertext: `navplane/provider-key/v1|<orgId>|<provider>|<rowId>`, plus `|name:<name>` for a key
 * not named `default`, plus `|url:<baseUrl>` for a key stored with a base URL. The URL comes last and no earlier
 * component may hold the separator; each optional component has its own prefix. So two different contexts never
 * produce the same text (a URL's own `|` cannot shift a component, nor pass for a name).
 */
export function secretAad(context: SecretContext): Buffer {
  assertContext(context);
  const parts = keyParts(context);
  if (context.baseUrl !== undefined) parts.push(`url:${context.baseUrl}`);
  return Buffer.from(parts.join(SEPARATOR), 'utf8');
}

/**
 * AAD of a wrapped DEK: the secret's AAD without the URL, plus `|kek:<kekVersion>`, so a DEK is bound to its row, its
 * name and its KEK.
 */
export function dekAad(context: SecretContext, kekVersion: number): Buffer {
  assertContext(context);
  if (!Number.isSafeInteger(kekVersion)) throw new Error('KEK version must be an integer');
  return Buffer.from([...keyParts(context), `kek:${kekVersion}`].join(SEPARATOR), 'utf8');
}
