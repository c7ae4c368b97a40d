import { maskSecretValue, scrubString } from './scrub-string';

// Field names whose VALUE is a secret whatever it looks like. Names are compared lower-cased with
// separators removed, so `x-api-key`, `api_key`, `apiKey` and `API-KEY` are one name.
const SECRET_NAMES = new Set(['pass', 'dek', 'kek', 'sessionid', 'credential']);
const SECRET_SUFFIXES = [
  'authorization',
  'cookie',
  'cookies',
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'masterkey',
  'secretkey',
  'accesskey',
  'providerkey',
  'navplanekey',
  'credentials',
];

const MAX_DEPTH = 32;

/** True when a field called `name` holds a secret (authorization, x-api-key, password, …Token, …). */
export function isSecretFieldName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_NAMES.has(normalised) || SECRET_SUFFIXES.some((suffix) => normalised.endsWith(suffix));
}

interface Walk {
  /** Objects on the current path, to cut cycles without losing repeated (non-cyclic) references. */
  readonly ancestors: Set<object>;
}

function read(source: object, key: string): unknown {
  try {
    return (source as Record<string, unknown>)[key];
  } catch {
    return '[Unreadable]';
  }
}

function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  if (error.stack !== undefined) fields['stack'] = error.stack;
  for (const key of Object.keys(error)) fields[key] = read(error, key);
  if ('cause' in error && error.cause !== undefined) fields['cause'] = error.cause;
  if (error instanceof AggregateError) fields['errors'] = error.errors;
  return fields;
}

function entriesOf(value: object): [string, unknown][] | undefined {
  if (value instanceof Map) return [...value.entries()].map(([key, item]) => [String(key), item]);
  if (typeof Headers !== 'undefined' && value instanceof Headers) return [...value.entries()];
  return undefined;
}

function walk(value: unknown, masked: boolean, state: Walk, depth: number): unknown {
  if (typeof value === 'string') return masked ? maskSecretValue(value) : scrubString(value);
  if (typeof value === 'number' || typeof value === 'bigint') return masked ? '***' : value;
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `[binary ${value.byteLength} bytes]`; // raw bytes may be key material
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (state.ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';

  state.ancestors.add(value);
  try {
    if (Array.isArray(value) || value instanceof Set) {
      return [...value].map((item) => walk(item, masked, state, depth + 1));
    }
    if (!(value instanceof Error) && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      // URL and friends: scrub what JSON would have written.
      let json: unknown;
      try {
        json = (value as { toJSON: () => unknown }).toJSON();
      } catch {
        json = '[Unserialisable]';
      }
      if (json !== value) return walk(json, masked, state, depth + 1);
    }
    const entries =
      value instanceof Error
        ? Object.entries(errorFields(value))
        : (entriesOf(value) ?? Object.keys(value).map((key) => [key, read(value, key)] as [string, unknown]));
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      out[scrubString(key)] = walk(item, masked || isSecretFieldName(key), state, depth + 1);
    }
    return out;
  } finally {
    state.ancestors.delete(value);
  }
}

/**
 * A deep copy of `value` safe to log or store: secret-shaped text masked everywhere (scrubString),
 * the values of secret-named fields masked at any depth, Errors turned into plain
 * `{ name, message, stack, … }`, binary data summarised, cycles cut. Pure: the input is not mutated.
 */
export function scrubSecrets(value: unknown): unknown {
  return walk(value, false, { ancestors: new Set() }, 0);
}
