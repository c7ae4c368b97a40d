import { randomBytes } from 'node:crypto';
import { createKeyring } from '../keyring/keyring';
import { dekAad, secretAad, type SecretContext } from './aad';
import { openSecret, rewrapDek, sealSecret, type SealedSecret } from './envelope';

const context: SecretContext = {
  orgId: 'org_01',
  provider: 'openai',
  rowId: 'pk_01',
};
const plaintext = 'sk-proj-0123456789abcdefghijklmnopqrstuvwxyz';

const flip = (base64: string, index = 0): string => {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x80;
  return bytes.toString('base64');
};

describe('AAD', () => {
  it('binds the secret to label, org, provider and row, and the DEK to the same plus the KEK version', () => {
    expect(secretAad(context).toString()).toBe('navplane/provider-key/v1|org_01|openai|pk_01');
    expect(dekAad(context, 42).toString()).toBe('navplane/provider-key/v1|org_01|openai|pk_01|kek:42');
  });

  it('refuses components that could make two contexts collide', () => {
    expect(() => secretAad({ ...context, orgId: 'org_01|openai' })).toThrow();
    expect(() => secretAad({ ...context, provider: '' })).toThrow();
    expect(() => dekAad({ ...context, rowId: 'pk\n01' }, 1)).toThrow();
    expect(() => secretAad({ ...context, baseUrl: 'https://x.example\n' })).toThrow();
  });

  it('binds a base URL into the secret (last, so its own "|" cannot shift a component), not into the DEK', () => {
    const withUrl = { ...context, baseUrl: 'https://r.openai.azure.com/a|b' };
    expect(secretAad(withUrl).toString()).toBe('navplane/provider-key/v1|org_01|openai|pk_01|url:https://r.openai.azure.com/a|b');
    expect(dekAad(withUrl, 1).toString()).toBe('navplane/provider-key/v1|org_01|openai|pk_01|kek:1');
  });
});

describe('a key name bound into both AADs', () => {
  const keyring = createKeyring({ current: randomBytes(32) });

  it('adds `name:<name>` after the row for any name but `default`, before the URL and the KEK version', () => {
    const named = { ...context, name: 'eu', baseUrl: 'https://r.openai.azure.com' };
    expect(secretAad(named).toString()).toBe('navplane/provider-key/v1|org_01|openai|pk_01|name:eu|url:https://r.openai.azure.com');
    expect(dekAad(named, 3).toString()).toBe('navplane/provider-key/v1|org_01|openai|pk_01|name:eu|kek:3');
    // `default` is what every key stored before names existed was sealed as: the same text as no name at all.
    expect(secretAad({ ...context, name: 'default' })).toEqual(secretAad(context));
    expect(dekAad({ ...context, name: 'default' }, 3)).toEqual(dekAad(context, 3));
    expect(() => secretAad({ ...context, name: 'a|b' })).toThrow();
    expect(() => secretAad({ ...context, name: '' })).toThrow();
  });

  it('opens only under the name it was sealed with (renaming a row either way fails)', () => {
    const eu = sealSecret(keyring, { ...context, name: 'eu' }, plaintext);
    expect(openSecret(keyring, { ...context, name: 'eu' }, eu)).toEqual({ ok: true, value: plaintext });
    expect(openSecret(keyring, { ...context, name: 'us' }, eu).ok).toBe(false);
    expect(openSecret(keyring, context, eu).ok).toBe(false);
    expect(openSecret(keyring, { ...context, name: 'default' }, eu).ok).toBe(false);
    const unnamed = sealSecret(keyring, context, plaintext);
    expect(openSecret(keyring, { ...context, name: 'default' }, unnamed)).toEqual({ ok: true, value: plaintext });
    expect(openSecret(keyring, { ...context, name: 'eu' }, unnamed).ok).toBe(false);
    expect(rewrapDek(keyring, { ...context, name: 'us' }, eu).ok).toBe(false);
  });
});

describe('a base URL bound into the secret', () => {
  const keyring = createKeyring({ current: randomBytes(32) });
  const withUrl = { ...context, baseUrl: 'https://mine.openai.azure.com' };

  it('opens only with the URL it was sealed with', () => {
    const sealed = sealSecret(keyring, withUrl, plaintext);
    expect(openSecret(keyring, withUrl, sealed)).toEqual({ ok: true, value: plaintext });
    expect(openSecret(keyring, { ...withUrl, baseUrl: 'https://evil.example' }, sealed).ok).toBe(false);
    expect(openSecret(keyring, context, sealed).ok).toBe(false);
    expect(openSecret(keyring, withUrl, sealSecret(keyring, context, plaintext)).ok).toBe(false);
  });
});

describe('envelope', () => {
  const keyring = createKeyring({ current: randomBytes(32) });

  it('round-trips, with a fresh DEK and IVs per seal', () => {
    const first = sealSecret(keyring, context, plaintext);
    const second = sealSecret(keyring, context, plaintext);
    expect(openSecret(keyring, context, first)).toEqual({
      ok: true,
      value: plaintext,
    });
    expect(openSecret(keyring, context, second)).toEqual({
      ok: true,
      value: plaintext,
    });
    for (const field of ['ciphertext', 'iv', 'authTag', 'wrappedDek', 'dekIv', 'dekAuthTag'] as const) {
      expect(first[field]).not.toBe(second[field]);
    }
    expect(Buffer.from(first.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(first.dekIv, 'base64')).toHaveLength(12);
    expect(Buffer.from(first.authTag, 'base64')).toHaveLength(16);
    expect(Buffer.from(first.wrappedDek, 'base64')).toHaveLength(32);
    expect(first.kekVersion).toBe(keyring.currentVersion);
    expect(JSON.stringify(first)).not.toContain(plaintext);
    expect(JSON.stringify(first)).not.toContain(Buffer.from(plaintext).toString('base64').slice(0, 20));
  });

  it('round-trips non-ASCII text', () => {
    const unusual = 'kéy-☃-0123456789';
    expect(openSecret(keyring, context, sealSecret(keyring, context, unusual))).toEqual({ ok: true, value: unusual });
  });

  it.each(['ciphertext', 'iv', 'authTag', 'wrappedDek', 'dekIv', 'dekAuthTag'] as const)(
    'fails the integrity check when %s is tampered with',
    (field) => {
      const sealed = sealSecret(keyring, context, plaintext);
      const tampered: SealedSecret = { ...sealed, [field]: flip(sealed[field]) };
      expect(openSecret(keyring, context, tampered)).toEqual({
        ok: false,
        error: 'integrity_check_failed',
      });
    },
  );

  it('rejects a truncated tag and non-canonical base64 as failures, never exceptions', () => {
    const sealed = sealSecret(keyring, context, plaintext);
    const shortTag = Buffer.from(sealed.authTag, 'base64').subarray(0, 12).toString('base64');
    expect(openSecret(keyring, context, { ...sealed, authTag: shortTag }).ok).toBe(false);
    expect(
      openSecret(keyring, context, {
        ...sealed,
        ciphertext: `${sealed.ciphertext}!!`,
      }),
    ).toEqual({ ok: false, error: 'malformed' });
    expect(openSecret(keyring, context, { ...sealed, dekIv: `*${sealed.dekIv}` })).toEqual({ ok: false, error: 'malformed' });
    expect(openSecret(keyring, context, { ...sealed, iv: '' }).ok).toBe(false);
  });

  it('fails for a changed KEK version (unknown, or another held key)', () => {
    const two = createKeyring({
      current: randomBytes(32),
      previous: [randomBytes(32)],
    });
    const sealed = sealSecret(two, context, plaintext);
    const [, previousVersion] = two.versions;
    if (previousVersion === undefined) throw new Error('expected two versions');
    expect(openSecret(two, context, { ...sealed, kekVersion: previousVersion })).toEqual({ ok: false, error: 'integrity_check_failed' });
    expect(openSecret(two, context, { ...sealed, kekVersion: 7 })).toEqual({
      ok: false,
      error: 'unknown_kek_version',
    });
  });

  it.each([
    ['another org', { orgId: 'org_02' }],
    ['another provider', { provider: 'anthropic' }],
    ['another row', { rowId: 'pk_02' }],
  ])('fails when opened for %s', (_label, change) => {
    const sealed = sealSecret(keyring, context, plaintext);
    expect(openSecret(keyring, { ...context, ...change }, sealed)).toEqual({
      ok: false,
      error: 'integrity_check_failed',
    });
  });

  it('fails with the wrong master key', () => {
    const sealed = sealSecret(keyring, context, plaintext);
    const wrong = createKeyring({ current: randomBytes(32) });
    expect(openSecret(wrong, context, sealed).ok).toBe(false);
  });
});

describe('rewrapDek', () => {
  it('moves the DEK to the current master key and leaves the secret ciphertext alone', () => {
    const oldKey = randomBytes(32);
    const oldRing = createKeyring({ current: oldKey });
    const sealed = sealSecret(oldRing, context, plaintext);
    const rotated = createKeyring({
      current: randomBytes(32),
      previous: [oldKey],
    });
    const rewrapped = rewrapDek(rotated, context, sealed);
    if (!rewrapped.ok) throw new Error(rewrapped.error);
    expect(rewrapped.value.kekVersion).toBe(rotated.currentVersion);
    const moved: SealedSecret = { ...sealed, ...rewrapped.value };
    expect(openSecret(rotated, context, moved)).toEqual({
      ok: true,
      value: plaintext,
    });
    expect(openSecret(oldRing, context, moved).ok).toBe(false);
    // The same envelope, re-wrapped for another row, is refused: the DEK's AAD names the row.
    expect(rewrapDek(rotated, { ...context, rowId: 'pk_other' }, sealed)).toEqual({ ok: false, error: 'integrity_check_failed' });
  });
});
