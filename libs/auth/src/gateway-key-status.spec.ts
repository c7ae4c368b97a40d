import { gatewayKeyStatus } from './gateway-key-status';

describe('gatewayKeyStatus', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  const key = (overrides: Partial<Record<'revokedAt' | 'expiresAt' | 'graceEndsAt', string | null>>) => ({
    revokedAt: null,
    expiresAt: null,
    graceEndsAt: null,
    ...overrides,
  });

  it('tells active, rotating, expired and revoked apart (revoked wins, then expiry)', () => {
    expect(gatewayKeyStatus(key({}), now)).toBe('active');
    expect(gatewayKeyStatus(key({ expiresAt: iso(1) }), now)).toBe('active');
    expect(gatewayKeyStatus(key({ expiresAt: iso(0) }), now)).toBe('expired');
    expect(gatewayKeyStatus(key({ graceEndsAt: iso(1000) }), now)).toBe('rotating');
    expect(gatewayKeyStatus(key({ graceEndsAt: iso(0) }), now)).toBe('expired');
    expect(gatewayKeyStatus(key({ graceEndsAt: iso(1000), expiresAt: iso(-1) }), now)).toBe('expired');
    expect(gatewayKeyStatus(key({ revokedAt: iso(-5), expiresAt: iso(-1) }), now)).toBe('revoked');
  });
});
