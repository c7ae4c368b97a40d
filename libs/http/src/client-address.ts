import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** The client address of a request: Express's `req.ip`, for requests that do not go through Express. */
export type ClientAddressOf = (req: IncomingMessage) => string;

/**
 * The client address as Express derives `req.ip` under NAVPLANE_TRUST_PROXY (the same `trust proxy` compilation:
 * true trusts every hop, a number that many hops, a list the addresses, subnets and names loopback, linklocal,
 * uniquelocal), for the gateway's provider path, which skips Express. Compiled once; a request whose socket is gone
 * has no address: `unknown`.
 */
export function clientAddressResolver(trustProxy: boolean | number | readonly string[]): ClientAddressOf {
  const trust: (address: string, hop: number) => boolean =
    trustProxy === true
      ? () => true
      : trustProxy === false
        ? () => false
        : typeof trustProxy === 'number'
          ? (_address, hop) => hop < trustProxy
          : proxyAddr.compile([...trustProxy]);
  return function clientAddress(req) {
    // Without trust, the socket's peer (no header parsing).
    if (trustProxy === false) return req.socket.remoteAddress ?? 'unknown';
    return proxyAddr(req, trust) ?? 'unknown';
  };
}
