import { BlockList, isIP, isIPv4 } from 'node:net';
import { err, ok, type Result } from '@navplane/core';
import { unbracket } from './address-ranges';

/**
 * `NAVPLANE_UPSTREAM_ALLOWLIST`, parsed: hosts and CIDRs the operator lets tenant-supplied URLs reach although
 * private. A host entry (`vllm.internal`, `10.0.0.5`, `[fd00::5]`) lifts both rules — `https` only and public
 * addresses only — for URLs naming exactly that host; a CIDR (`10.0.0.0/8`) lets any URL connect to an address
 * inside it, and lifts the `https` rule for URLs whose host is an address inside it.
 */
export interface EgressAllowlist {
  /** True when the URL host (lower-case, any trailing dot removed) is allowlisted by name or as an address. */
  allowsHost(host: string): boolean;
  /** True when connecting to `address` is allowed although it is not public. */
  allowsAddress(address: string): boolean;
  /** The entries, as given (for `config validate` and logs). */
  readonly entries: readonly string[];
}

/** Host names compare case-insensitively and without the root's trailing dot (`Localhost.` = `localhost`). */
export function normalizeHost(host: string): string {
  const lower = unbracket(host).toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Parses the comma-separated allowlist; a malformed entry is an error naming it (operator input, not a secret). */
export function parseEgressAllowlist(value: string | readonly string[]): Result<EgressAllowlist, string> {
  const entries = (typeof value === 'string' ? value.split(',') : value).map((entry) => entry.trim()).filter((entry) => entry !== '');
  const hosts = new Set<string>();
  const ranges = new BlockList();
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const network = unbracket(entry.slice(0, slash));
      const prefixText = entry.slice(slash + 1);
      const family = isIP(network);
      const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
      if (family === 0 || !(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) {
        return err(`"${entry}" is not a CIDR (a.b.c.d/n or an IPv6 network/n)`);
      }
      ranges.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
      continue;
    }
    const host = normalizeHost(entry);
    const family = isIP(host);
    if (family !== 0) {
      ranges.addAddress(host, family === 4 ? 'ipv4' : 'ipv6');
      hosts.add(host);
    } else if (HOST_NAME.test(host)) {
      hosts.add(host);
    } else {
      return err(`"${entry}" is neither a host name, an IP address nor a CIDR`);
    }
  }
  const allowsAddress = (address: string): boolean => {
    const ip = unbracket(address);
    const family = isIP(ip);
    return family !== 0 && ranges.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6');
  };
  return ok({
    entries,
    allowsHost: (host) => {
      const normalized = normalizeHost(host);
      return hosts.has(normalized) || (isIP(normalized) !== 0 && allowsAddress(normalized));
    },
    allowsAddress,
  });
}
