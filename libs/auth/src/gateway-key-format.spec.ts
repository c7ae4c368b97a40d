import { createHash } from 'node:crypto';
import { BASE62_ALPHABET } from './base62';
import {
  decodeGatewayKeyHash,
  GATEWAY_KEY_LENGTH,
  GATEWAY_KEY_SECRET_BITS,
  gatewayKeyMatchesHash,
  generateGatewayKey,
  hashGatewayKey,
  parseGatewayKey,
} from './gateway-key-format';

const CHARACTERS = `${BASE62_ALPHABET}_-. `;

describe('NavPlane key format', () => {
  it('is np_ + 12-char public id + _ + 32-char secret + 6-char checksum, and parses back', () => {
    const generated = generateGatewayKey();
    expect(generated.key).toMatch(/^np_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
    expect(generated.key).toHaveLength(GATEWAY_KEY_LENGTH);
    expect(generated.key.slice(3, 15)).toBe(generated.publicId);
    expect(parseGatewayKey(generated.key)).toEqual({ publicId: generated.publicId, key: generated.key });
  });

  it('carries at least 128 bits of randomness in the secret alone', () => {
    expect(GATEWAY_KEY_SECRET_BITS).toBeGreaterThanOrEqual(128);
    expect(GATEWAY_KEY_SECRET_BITS).toBeCloseTo(32 * Math.log2(62), 6);
  });

  it('never repeats a public id or a secret', () => {
    const keys = Array.from({ length: 2000 }, () => generateGatewayKey());
    expect(new Set(keys.map((k) => k.publicId)).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.key.slice(16, 48))).size).toBe(keys.length);
  });

  it('refuses every single-character typo, at every position (checksum, no lookup needed)', () => {
    const { key } = generateGatewayKey();
    let tried = 0;
    for (let i = 0; i < key.length; i += 1) {
      for (const char of CHARACTERS) {
        if (char === key[i]) continue;
        const typo = key.slice(0, i) + char + key.slice(i + 1);
        expect(parseGatewayKey(typo)).toBeUndefined();
        tried += 1;
      }
    }
    expect(tried).toBeGreaterThan(3000);
  });

  it('refuses swapped neighbours, a dropped or an extra character, and other shapes', () => {
    const { key } = generateGatewayKey();
    for (let i = 0; i + 1 < key.length; i += 1) {
      if (key[i] === key[i + 1]) continue;
      expect(parseGatewayKey(key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2))).toBeUndefined();
    }
    for (let i = 0; i < key.length; i += 1) {
      expect(parseGatewayKey(key.slice(0, i) + key.slice(i + 1))).toBeUndefined();
      expect(parseGatewayKey(key.slice(0, i) + 'a' + key.slice(i))).toBeUndefined();
    }
    for (const text of ['', 'np_', ` ${key}`, `${key} `, `NP_${key.slice(3)}`, `Bearer ${key}`, key.toUpperCase()]) {
      expect(parseGatewayKey(text)).toBeUndefined();
    }
    expect(parseGatewayKey(undefined)).toBeUndefined();
    expect(parseGatewayKey(42)).toBeUndefined();
  });

  it('is stored as sha256:<hex of the whole key>, never as the key, and matched in constant time', () => {
    const generated = generateGatewayKey();
    const expected = `sha256:${createHash('sha256').update(generated.key).digest('hex')}`;
    expect(generated.secretHash).toBe(expected);
    expect(hashGatewayKey(generated.key)).toBe(expected);
    expect(generated.secretHash).not.toContain(generated.key.slice(16));
    expect(gatewayKeyMatchesHash(generated.key, generated.secretHash)).toBe(true);
    expect(gatewayKeyMatchesHash(generateGatewayKey().key, generated.secretHash)).toBe(false);
    expect(decodeGatewayKeyHash('md5:abc')).toBeUndefined();
    expect(decodeGatewayKeyHash('sha256:xyz')).toBeUndefined();
    expect(gatewayKeyMatchesHash(generated.key, 'plain-text')).toBe(false);
  });

  it('shows people np_<publicId>… and nothing of the secret', () => {
    const generated = generateGatewayKey();
    expect(generated.displayPrefix).toBe(`np_${generated.publicId}…`);
    expect(generated.displayPrefix).not.toContain(generated.key.slice(16, 24));
  });
});
