import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { isPublicAddress } from './address-ranges';
import { parseEgressAllowlist, type EgressAllowlist } from './allowlist';
import { createEgressGuard, EgressRefusedError, type ResolveAll } from './egress-guard';

function allowlist(value = ''): EgressAllowlist {
  const parsed = parseEgressAllowlist(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** A resolver the test controls: names map to address lists; anything else does not resolve. */
function fakeDns(table: Record<string, string[]>): { resolveAll: ResolveAll; set(name: string, addresses: string[]): void } {
  const names = new Map(Object.entries(table));
  return {
    resolveAll: (hostname) => {
      const addresses = names.get(hostname);
      if (addresses === undefined)
        return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
      return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    },
    set: (name, addresses) => names.set(name, addresses),
  };
}

describe('isPublicAddress', () => {
  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '100.64.0.1',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.192',
    '192.0.2.10',
    '192.168.1.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::7f00:1',
    '64:ff9b:1::1',
    '2001:db8::1',
    '2002:7f00:1::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2606:4700::1111',
    '[2606:4700::1111]',
  ])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('parseEgressAllowlist', () => {
  it('takes host names, addresses and CIDRs, comma-separated, and matches hosts without case or trailing dot', () => {
    const list = allowlist(' vllm.internal , 10.0.0.0/8,fd00::/8, 192.168.1.5 ');
    expect(list.entries).toEqual(['vllm.internal', '10.0.0.0/8', 'fd00::/8', '192.168.1.5']);
    expect(list.allowsHost('VLLM.internal.')).toBe(true);
    expect(list.allowsHost('other.internal')).toBe(false);
    expect(list.allowsHost('10.2.3.4')).toBe(true);
    expect(list.allowsHost('[fd12::1]')).toBe(true);
    expect(list.allowsAddress('10.9.9.9')).toBe(true);
    expect(list.allowsAddress('192.168.1.5')).toBe(true);
    expect(list.allowsAddress('192.168.1.6')).toBe(false);
    expect(list.allowsAddress('::ffff:10.0.0.1')).toBe(true);
  });

  it.each(['10.0.0.0/33', 'fd00::/129', 'nope/8', 'bad host', 'a..b'])('refuses the entry %s with a message naming it', (entry) => {
    const parsed = parseEgressAllowlist(entry);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(entry);
  });
});

describe('createEgressGuard', () => {
  describe('checkUrl (no resolution)', () => {
    const guard = createEgressGuard({ allowlist: allowlist(), resolveAll: fakeDns({}).resolveAll });

    it.each([
      ['https://2130706433/v1', 'private_address'],
      ['https://0x7f000001/', 'private_address'],
      ['https://0x7f.1/', 'private_address'],
      ['https://0177.0.0.1/', 'private_address'],
      ['https://127.1/', 'private_address'],
      ['https://0/', 'private_address'],
      ['https://[::1]/', 'private_address'],
      ['https://[::ffff:127.0.0.1]/', 'private_address'],
      ['https://[::ffff:a9fe:a9fe]/latest/meta-data', 'private_address'],
      ['https://169.254.169.254/latest/meta-data', 'private_address'],
      ['https://[fd00:ec2::254]/', 'private_address'],
      ['https://[64:ff9b::a9fe:a9fe]/', 'private_address'],
      ['http://api.example.com/', 'not_https'],
      ['ftp://api.example.com/', 'not_https'],
      ['file:///etc/passwd', 'not_https'],
      ['https://user:pass@api.example.com/', 'credentials_in_url'],
      ['https://api.example.com@evil.example/', 'credentials_in_url'],
      ['https://api.example.com#@evil.example/', 'fragment_in_url'],
      ['https://api.example.com\\@evil.example/', 'malformed'],
      ['https://api.example.com /', 'malformed'],
      ['https://api.exa\tmple.com/', 'malformed'],
      ['api.example.com', 'malformed'],
      ['https://[fe80::1%25eth0]/', 'malformed'],
    ])('refuses %s (%s)', (url, reason) => {
      const checked = guard.checkUrl(url);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.error.reason).toBe(reason);
    });

    it('accepts a public https URL and returns the URL it checked (the one to connect to)', () => {
      const checked = guard.checkUrl('https://my-resource.openai.azure.com/openai');
      expect(checked.ok && checked.value.href).toBe('https://my-resource.openai.azure.com/openai');
      expect(guard.checkUrl('https://[2606:4700::1111]:8443/').ok).toBe(true);
    });

    it('lets an allowlisted host use http and a private address', () => {
      const open = createEgressGuard({ allowlist: allowlist('vllm.internal,10.0.0.0/8'), resolveAll: fakeDns({}).resolveAll });
      expect(open.checkUrl('http://vllm.internal:8000').ok).toBe(true);
      expect(open.checkUrl('http://10.1.2.3:8000').ok).toBe(true);
      expect(open.checkUrl('http://192.168.0.1').ok).toBe(false);
      expect(open.checkUrl('https://user@vllm.internal').ok).toBe(false);
    });
  });

  describe('checkResolved (when the URL is stored)', () => {
    const dns = fakeDns({
      localhost: ['127.0.0.1', '::1'],
      'api.example.com': ['93.184.216.34', '2606:2800:220:1::1'],
      'private.example.com': ['10.0.0.7'],
      'mixed.example.com': ['93.184.216.34', '192.168.1.1'],
      'mapped.example.com': ['::ffff:127.0.0.1'],
      'vllm.internal': ['10.0.0.5'],
      'empty.example.com': [],
    });
    const guard = createEgressGuard({ allowlist: allowlist('vllm.internal'), resolveAll: dns.resolveAll });

    it.each([
      ['https://localhost/', 'private_address'],
      ['https://localhost./', 'private_address'],
      ['https://LOCALHOST/', 'private_address'],
      ['https://private.example.com/', 'private_address'],
      ['https://mixed.example.com/', 'private_address'],
      ['https://mapped.example.com/', 'private_address'],
      ['https://nowhere.example.com/', 'unresolvable'],
      ['https://empty.example.com/', 'unresolvable'],
    ])('refuses %s (%s)', async (url, reason) => {
      const checked = await guard.checkResolved(url);
      expect(checked.ok).toBe(false);
      if (!checked.ok) expect(checked.error.reason).toBe(reason);
    });

    it('accepts a name whose every address is public, and an allowlisted name that resolves privately', async () => {
      expect((await guard.checkResolved('https://api.example.com/v1')).ok).toBe(true);
      expect((await guard.checkResolved('http://vllm.internal:8000')).ok).toBe(true);
    });
  });

  describe('lookup (at every connection)', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((_req, res) => res.end('reached'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    async function fetchThrough(guardAllowlist: string, dns: ReturnType<typeof fakeDns>, host: string): Promise<string> {
      const guard = createEgressGuard({ allowlist: allowlist(guardAllowlist), resolveAll: dns.resolveAll });
      const agent = new Agent({ connect: { lookup: guard.lookup } });
      try {
        const res = await request(`http://${host}:${port}/`, { dispatcher: agent });
        return await res.body.text();
      } finally {
        await agent.close();
      }
    }

    it('refuses to connect when the name resolves to a private address, with EgressRefusedError', async () => {
      const dns = fakeDns({ 'upstream.test': ['127.0.0.1'] });
      await expect(fetchThrough('', dns, 'upstream.test')).rejects.toMatchObject({
        code: 'ERR_NAVPLANE_EGRESS_REFUSED',
        reason: 'private_address',
      });
      await expect(fetchThrough('', dns, 'upstream.test')).rejects.toBeInstanceOf(EgressRefusedError);
    });

    it('refuses a name that was public when stored and turned private since (DNS rebinding)', async () => {
      const dns = fakeDns({ 'rebind.test': ['93.184.216.34'] });
      const guard = createEgressGuard({ allowlist: allowlist(), resolveAll: dns.resolveAll });
      expect((await guard.checkResolved('https://rebind.test/')).ok).toBe(true);
      dns.set('rebind.test', ['127.0.0.1']);
      await expect(fetchThrough('', dns, 'rebind.test')).rejects.toMatchObject({ code: 'ERR_NAVPLANE_EGRESS_REFUSED' });
    });

    it('connects to an allowlisted host, by name or by the CIDR of its address', async () => {
      const dns = fakeDns({ 'upstream.test': ['127.0.0.1'] });
      expect(await fetchThrough('upstream.test', dns, 'upstream.test')).toBe('reached');
      expect(await fetchThrough('127.0.0.0/8', dns, 'upstream.test')).toBe('reached');
    });
  });
});
