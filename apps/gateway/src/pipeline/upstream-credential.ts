import { inspect } from 'node:util';

const REDACTED = '[redacted upstream credential]';

/**
 * The headers that authenticate a request upstream (the vault's provider key, or the client's own in passthrough).
 * The values are reachable only through `headers()`: logging, JSON, string conversion and `util.inspect` show a
 * placeholder, so a context dumped into a log line or an error never carries the key.
 */
export class UpstreamCredential {
  readonly #headers: Readonly<Record<string, string>>;
  readonly #secret: string | undefined;

  /** `secret`: the injected provider key (vault mode), masked wherever an upstream error echoes it. */
  constructor(headers: Readonly<Record<string, string>>, secret?: string) {
    this.#headers = headers;
    this.#secret = secret;
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
