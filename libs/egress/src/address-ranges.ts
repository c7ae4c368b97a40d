import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Where a tenant-supplied URL may not lead: every special-purpose range of the IANA IPv4 and IPv6 registries
 * (RFC 6890 and successors) — private, loopback, link-local (the cloud metadata addresses 169.254.169.254 and
 * fd00:ec2::254 among them), carrier-grade NAT, documentation, benchmarking, multicast, reserved — plus the
 * deprecated IPv6 forms that embed or tunnel an IPv4 address (IPv4-compatible, 6to4, Teredo). IPv4-mapped IPv6
 * addresses (`::ffff:a.b.c.d`) are judged by the IPv4 address they carry, and so are NAT64's (`64:ff9b::/96`).
 */
const NON_PUBLIC: ReadonlyArray<readonly [network: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const nonPublic = new BlockList();
for (const [network, prefix, family] of NON_PUBLIC) nonPublic.addSubnet(network, prefix, family);
const nat64 = new BlockList();
nat64.addSubnet('64:ff9b::', 96, 'ipv6');

/** The IPv4 address in the last 32 bits of an IPv6 address (`64:ff9b::7f00:1` → `127.0.0.1`). */
function embeddedIpv4(address: string): string | undefined {
  const match = /:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address) ?? undefined;
  if (match !== undefined) {
    const high = Number.parseInt(match[1] ?? '', 16);
    const low = Number.parseInt(match[2] ?? '', 16);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  return dotted?.[1];
}

/** Strips the brackets of an IPv6 URL host (`[::1]` → `::1`). */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * True when `address` (an IP literal) is a public unicast address a tenant's URL may reach; false for every
 * special-purpose range above, and for anything that is not an IP address.
 */
export function isPublicAddress(address: string): boolean {
  const ip = unbracket(address);
  if (isIPv4(ip)) return !nonPublic.check(ip, 'ipv4');
  if (!isIPv6(ip) || ip.includes('%')) return false; // a zone id names an interface: link-local by definition
  if (nat64.check(ip, 'ipv6')) {
    const inner = embeddedIpv4(ip);
    return inner !== undefined && isIPv4(inner) && !nonPublic.check(inner, 'ipv4');
  }
  return !nonPublic.check(ip, 'ipv6');
}
