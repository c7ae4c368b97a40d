import { deleteRedisKeys, redisKeys, TEST_DIALECTS, TEST_REDIS_URL, testRedisClient, testRedisPrefix } from '@navplane/testing';
import { startGatewayHarness, type GatewayHarness } from './testing/gateway-harness.fixture';

jest.setTimeout(60_000);

const LIMIT = 3;
const UNKNOWN_KEY = 'np_0000000000000000000000000000000000000000000';
const describeRedis = TEST_REDIS_URL === undefined ? describe.skip : describe;

describeRedis('brute-force throttling shared through Redis', () => {
  describe.each(TEST_DIALECTS)('two gateways on %s', (dialect) => {
    const prefix = testRedisPrefix();
    let a: GatewayHarness;
    let b: GatewayHarness;

    beforeAll(async () => {
      const env = {
        NAVPLANE_AUTH_FAILURE_LIMIT: String(LIMIT),
        NAVPLANE_AUTH_FAILURE_WINDOW_MS: '60000',
        NAVPLANE_TRUST_PROXY: 'loopback',
        NAVPLANE_REDIS_URL: TEST_REDIS_URL ?? '',
        NAVPLANE_REDIS_PREFIX: prefix,
      };
      a = await startGatewayHarness(dialect, { env });
      b = await startGatewayHarness(dialect, { env });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      const admin = testRedisClient(TEST_REDIS_URL ?? '');
      await deleteRedisKeys(admin, prefix);
      admin.disconnect();
    });

    const attempt = (h: GatewayHarness, from: string) =>
      fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${UNKNOWN_KEY}`, 'content-type': 'application/json', 'x-forwarded-for': from },
        body: '{}',
      }).then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      });

    it('counts the failures of one address on every instance together, under NAVPLANE_REDIS_PREFIX', async () => {
      const attacker = '198.51.100.23';
      expect([await attempt(a, attacker), await attempt(a, attacker), await attempt(b, attacker)]).toEqual([401, 401, 401]);
      // The fourth failure, on the instance that saw only one, is over the limit counted in Redis.
      expect(await attempt(b, attacker)).toBe(429);
      expect(await attempt(a, attacker)).toBe(429);
      const admin = testRedisClient(TEST_REDIS_URL ?? '');
      expect(await redisKeys(admin, prefix)).toEqual([`${prefix}auth-failures-gateway:${attacker}`]);
      admin.disconnect();
    });
  });
});
