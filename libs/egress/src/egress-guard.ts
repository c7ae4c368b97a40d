import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { err, ok, type Result } from '@navplane/core';
import { isPublicAddress, unbracket } from './address-ranges';
import { normalizeHost, type EgressAllowlist } from './allowlist';

/** Resolves a host name to every address (the shape of `dns.lookup` with `all: true`). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

/** The `lookup` option of `net.connect` / `tls.connect` (and so of undici's `connect` options). */
export type ConnectLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/** Why a tenant-supplied URL is refused (safe to show the tenant: it says what is wrong, not what was resolved). */
export type EgressRefusal = 'malformed' | 'not_https' | 'credentials_in_url' | 'fragment_in_url' | 'private_address' | 'unresolvable';

/** A refusal with the message the admin API or the gateway shows. */
export interface EgressRefused {
  readonly reason: EgressRefusal;
  readonly message: string;
}

/** The error a guarded connection fails with when the host's address is not one a tenant URL may reach. */
export class EgressRefusedError extends Error {
  readonly code = 'ERR_NAVPLANE_EGRESS_REFUSED';
  constructor(readonly reason: EgressRefusal) {
    super(reason === 'private_address' ? 'the upstream resolves to a private or reserved address' : 'the upstream cannot be resolved');
    this.name = 'EgressRefusedError';
  }
}

/** Options of createEgressGuard. */
export interface EgressGuardOptions {
  /** `NAVPLANE_UPSTREAM_ALLOWLIST`, parsed (parseEgressAllowlist). */
  allowlist: EgressAllowlist;
  /** Name resolution (default: the system resolver, `dns.lookup` with `all: true`); tests pass their own. */
  resolveAll?: ResolveAll;
}

/**
 * The egress rules for URLs that come from a tenant (libs/egress/README.md): `https` only, no
 * credentials or fragment, and every address the host resolves to public — unless the operator allowlisted the
 * host (or its address). `checkUrl` is the syntax and literal-address check (no I/O); `checkResolved` also
 * resolves the name, for the moment the URL is stored; `lookup` applies the address rule again at every
 * connection, so a name that turns private later (DNS rebinding) is refused then.
 */
export interface EgressGuard {
  checkUrl(raw: string): Result<URL, EgressRefused>;
  checkResolved(raw: string): Promise<Result<URL, EgressRefused>>;
  /** A `lookup` for net/tls/undici connect options that fails with EgressRefusedError instead of connecting. */
  readonly lookup: ConnectLookup;
}

const refused = (reason: EgressRefusal, message: string): Result<never, EgressRefused> => err({ reason, message });

/** True when `raw` holds a character URL parsers disagree on (`\`, white space, a control character). */
function hasAmbiguousCharacter(raw: string): boolean {
  for (let i = 0; i < raw.length; i += 1) {
    const code = raw.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || code === 0x5c || code === 0xa0 || (code >= 0x2000 && code <= 0x200b) || code === 0x3000)
      return true;
  }
  return false;
}

const systemResolveAll: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, order: 'verbatim' }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

export function createEgressGuard(options: EgressGuardOptions): EgressGuard {
  const { allowlist } = options;
  const resolveAll = options.resolveAll ?? systemResolveAll;

  const addressAllowed = (address: string) => isPublicAddress(address) || allowlist.allowsAddress(address);

  function checkUrl(raw: string): Result<URL, EgressRefused> {
    if (hasAmbiguousCharacter(raw)) return refused('malformed', 'the URL contains a backslash, white space or a control character');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refused('malformed', 'not an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return refused('not_https', 'the URL must use https');
    if (url.hostname === '') return refused('malformed', 'the URL names no host');
    if (url.username !== '' || url.password !== '') return refused('credentials_in_url', 'the URL must not carry credentials (user@host)');
    if (raw.includes('#')) return refused('fragment_in_url', 'the URL must not carry a fragment (#)');
    const allowlisted = allowlist.allowsHost(url.hostname);
    if (url.protocol !== 'https:' && !allowlisted) return refused('not_https', 'the URL must use https');
    const literal = unbracket(url.hostname);
    if (isIP(literal) !== 0 && !allowlisted && !addressAllowed(literal)) {
      return refused('private_address', 'the URL points at a private, loopback, link-local or reserved address');
    }
    return ok(url);
  }

  /** Every address of `hostname`, or the refusal (an allowlisted host's addresses are not judged). */
  async function resolvedAddresses(hostname: string): Promise<Result<LookupAddress[], EgressRefusal>> {
    const allowlisted = allowlist.allowsHost(hostname);
    const literal = unbracket(hostname);
    const family = isIP(literal);
    if (family !== 0) return allowlisted || addressAllowed(literal) ? ok([{ address: literal, family }]) : err('private_address');
    let addresses: LookupAddress[];
    try {
      addresses = await resolveAll(normalizeHost(hostname));
    } catch {
      return err('unresolvable');
    }
    if (addresses.length === 0) return err('unresolvable');
    // One private answer is enough to refuse: a name that mixes public and private answers is an attack.
    return allowlisted || addresses.every((entry) => addressAllowed(entry.address)) ? ok(addresses) : err('private_address');
  }

  async function checkResolved(raw: string): Promise<Result<URL, EgressRefused>> {
    const checked = checkUrl(raw);
    if (!checked.ok) return checked;
    const addresses = await resolvedAddresses(checked.value.hostname);
    if (addresses.ok) return checked;
    return addresses.error === 'private_address'
      ? refused('private_address', 'the URL resolves to a private, loopback, link-local or reserved address')
      : refused('unresolvable', 'the URL host cannot be resolved');
  }

  const lookup: ConnectLookup = (hostname, lookupOptions, callback) => {
    const none = lookupOptions.all === true ? [] : '';
    void resolvedAddresses(hostname).then((result) => {
      if (!result.ok) return callback(new EgressRefusedError(result.error), none);
      const { family } = lookupOptions;
      const wanted = family === 4 || family === 6 ? result.value.filter((entry) => entry.family === family) : result.value;
      if (lookupOptions.all === true) return callback(null, wanted);
      const first = wanted[0];
      if (first === undefined)
        return callback(Object.assign(new Error(`${hostname} has no IPv${String(family)} address`), { code: 'ENOTFOUND' }), none);
      callback(null, first.address, first.family);
    });
  };

  return { checkUrl, checkResolved, lookup };
}
