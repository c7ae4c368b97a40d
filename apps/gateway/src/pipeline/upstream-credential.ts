import { inspect } from 'node:util';

const REDACTED = '[redacted upstream credential]';

/**
 * The headers that authenticate a request upstream (the vault's provider key, or the client's own in passthrough),
 * and, for a provider whose upstream is the tenant's own endpoint (`ProviderAdapter.tenantBaseUrl`), that endpoint as
 * stored with the org's key. The values are reachable only through `headers()`: logging, JSON, string conversion and
 * `util.inspect` show a placeholder, so a context dumped into a log line or an error never carries the key.
 */
export class UpstreamCredential {
  readonly #headers: Readonly<Record<string, string>>;
  readonly #secret: string | undefined;
  readonly #tenantBaseUrl: string | undefined;

  /**
   * `secret`: the injected provider key (vault mode), masked wherever an upstream error echoes it. `tenantBaseUrl`: the
   * tenant's endpoint stored with the key, which the request goes to instead of an operator base URL.
   */
  constructor(headers: Readonly<Record<string, string>>, secret?: string, tenantBaseUrl?: string) {
    this.#headers = headers;
    this.#secret = secret;
    this.#tenantBaseUrl = tenantBaseUrl;
  }

  /** The same headers, sent to `tenantBaseUrl` (passthrough to a tenant endpoint: the client's key, the org's URL). */
  withTenantBaseUrl(tenantBaseUrl: string): UpstreamCredential {
    return new UpstreamCredential(this.#headers, this.#secret, tenantBaseUrl);
  }

  /**
   * The tenant's own endpoint the request goes to (stored with the org's key; checked by the egress rules when stored
   * and at every connection), or undefined: the route's operator base URL.
   */
  tenantBaseUrl(): string | undefined {
    return this.#tenantBaseUrl;
  }

  /** No headers (passthrough without a provider key: the provider answers 401 itself). */
  static readonly none = new UpstreamCredential({});

  /** The header names and values to send upstream. */
  headers(): Readonly<Record<string, string>> {
    return this.#headers;
  }

  /** The provider key the gateway injected (vault mode), else undefined. */
  injectedSecret(): string | undefined {
    return this.#secret;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
