import { createHmac, randomBytes } from 'node:crypto';
import { format, inspect } from 'node:util';
import { isAppError } from '@navplane/core';
import { createKeyring, unwrapDek, wrapDek } from './keyring';
import { deriveKekVersion } from './kek-version';

const aad = (version: number) => Buffer.from(`test|kek:${version}`);

describe('deriveKekVersion', () => {
  it('is the first 4 bytes of HMAC-SHA256(key, "navplane-kek-id") as a positive 31-bit integer', () => {
    const key = Buffer.alloc(32, 7);
    const expected = createHmac('sha256', key).update('navplane-kek-id').digest().readUInt32BE(0) & 0x7fffffff;
    expect(deriveKekVersion(key)).toBe(expected);
  });

  it('agrees across processes and keyrings for the same key, and differs between keys', () => {
    const key = randomBytes(32);
    expect(createKeyring({ current: key }).currentVersion).toBe(deriveKekVersion(Buffer.from(key)));
    const versions = new Set(Array.from({ length: 200 }, () => deriveKekVersion(randomBytes(32))));
    expect(versions.size).toBe(200);
    for (const version of versions) expect(Number.isInteger(version) && version > 0 && version < 2 ** 31).toBe(true);
  });
});

describe('createKeyring', () => {
  it('lists the current version first, then the previous ones', () => {
    const [current, older, oldest] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const keyring = createKeyring({ current, previous: [older, oldest] });
    expect(keyring.currentVersion).toBe(deriveKekVersion(current));
    expect(keyring.versions).toEqual([current, older, oldest].map((key) => deriveKekVersion(key)));
    expect(keyring.has(deriveKekVersion(oldest))).toBe(true);
    expect(keyring.has(deriveKekVersion(randomBytes(32)))).toBe(false);
  });

  it.each([
    ['a short current key', { current: randomBytes(16) }, 'NAVPLANE_MASTER_KEY: must be exactly 32 bytes (got 16)'],
    ['a long previous key', { current: randomBytes(32), previous: [randomBytes(33)] }, 'NAVPLANE_MASTER_KEY_PREVIOUS[1]'],
  ])('throws at start-up on %s', (_label, options, message) => {
    expect(() => createKeyring(options)).toThrow(message);
  });

  it('throws at start-up on a key that is not a Buffer', () => {
    // @ts-expect-error a key of the wrong type, as an untyped caller can pass it
    expect(() => createKeyring({ current: 'not-a-buffer' })).toThrow('NAVPLANE_MASTER_KEY: must be a Buffer');
  });

  it('throws on a repeated key, naming the settings but not the key', () => {
    const key = randomBytes(32);
    const other = randomBytes(32);
    let error: unknown;
    try {
      createKeyring({ current: key, previous: [other, Buffer.from(key)] });
    } catch (caught) {
      error = caught;
    }
    expect(isAppError(error)).toBe(true);
    expect(String(error)).toContain('NAVPLANE_MASTER_KEY_PREVIOUS[2]: repeats NAVPLANE_MASTER_KEY');
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(key.toString('base64'));
  });

  it('never shows key bytes: properties, toString, toJSON, util.inspect, format', () => {
    const current = randomBytes(32);
    const previous = randomBytes(32);
    const keyring = createKeyring({ current, previous: [previous] });
    const renderings = [
      String(keyring), // what a template literal does too
      format('%s', keyring),
      JSON.stringify(keyring),
      JSON.stringify({ nested: { keyring } }),
      inspect(keyring, { showHidden: true, depth: 20, getters: true }),
      format('%o %O %j', keyring, keyring, keyring),
      JSON.stringify(Object.getOwnPropertyNames(keyring).map((name) => String(Reflect.get(keyring, name)))),
    ];
    for (const text of renderings) {
      for (const key of [current, previous]) {
        for (const encoding of ['base64', 'hex', 'base64url', 'latin1'] as const) {
          expect(text).not.toContain(key.toString(encoding));
        }
      }
    }
    expect(JSON.parse(JSON.stringify(keyring))).toEqual({
      currentVersion: keyring.currentVersion,
      versions: keyring.versions,
    });
    expect(Object.isFrozen(keyring)).toBe(true);
  });

  it('copies the keys: wiping the caller buffer afterwards changes nothing', () => {
    const current = randomBytes(32);
    const keyring = createKeyring({ current });
    const wrapped = wrapDek(keyring, Buffer.alloc(32, 9), aad);
    current.fill(0);
    const unwrapped = unwrapDek(keyring, wrapped.box, wrapped.kekVersion, aad(wrapped.kekVersion));
    expect(unwrapped.ok && unwrapped.value.equals(Buffer.alloc(32, 9))).toBe(true);
  });

  it('wraps with the current key and unwraps with whichever key the version names', () => {
    const old = randomBytes(32);
    const dek = randomBytes(32);
    const byOld = wrapDek(createKeyring({ current: old }), dek, aad);
    const rotated = createKeyring({
      current: randomBytes(32),
      previous: [old],
    });
    const unwrapped = unwrapDek(rotated, byOld.box, byOld.kekVersion, aad(byOld.kekVersion));
    expect(unwrapped.ok && unwrapped.value.equals(dek)).toBe(true);
    expect(wrapDek(rotated, dek, aad).kekVersion).toBe(rotated.currentVersion);
    expect(unwrapDek(createKeyring({ current: randomBytes(32) }), byOld.box, byOld.kekVersion, aad(byOld.kekVersion))).toEqual({
      ok: false,
      error: 'unknown_kek_version',
    });
    expect(unwrapDek(rotated, byOld.box, byOld.kekVersion, Buffer.from('other aad'))).toEqual({
      ok: false,
      error: 'integrity_check_failed',
    });
  });

  it('refuses objects that only look like a keyring', () => {
    const fake = { currentVersion: 1, versions: [1], has: () => true };
    expect(() => wrapDek(fake, randomBytes(32), aad)).toThrow('Not a keyring made by createKeyring');
  });
});
