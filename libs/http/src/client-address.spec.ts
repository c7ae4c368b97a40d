import type { IncomingMessage } from 'node:http';
import { clientAddressResolver } from './client-address';

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress },
    connection: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddressResolver (Express trust proxy semantics)', () => {
  it('without trust, the socket peer; X-Forwarded-For is ignored', () => {
    expect(clientAddressResolver(false)(request('10.0.0.5', '203.0.113.9'))).toBe('10.0.0.5');
  });

  it('with trusted proxies, the first untrusted hop from the right', () => {
    const resolve = clientAddressResolver(['loopback']);
    expect(resolve(request('127.0.0.1', '203.0.113.9'))).toBe('203.0.113.9');
    expect(resolve(request('127.0.0.1', '203.0.113.9, 198.51.100.4'))).toBe('198.51.100.4');
    // A peer that is not trusted is the client, whatever it claims.
    expect(resolve(request('192.0.2.1', '203.0.113.9'))).toBe('192.0.2.1');
  });

  it('a hop count trusts that many hops; true trusts all', () => {
    expect(clientAddressResolver(1)(request('127.0.0.1', '203.0.113.9, 198.51.100.4'))).toBe('198.51.100.4');
    expect(clientAddressResolver(true)(request('127.0.0.1', '203.0.113.9, 198.51.100.4'))).toBe('203.0.113.9');
  });
});
