import { createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { AppError, err, ok, type Result } from '@navplane/core';
import { gcmDecrypt, gcmEncrypt, KEY_BYTES, type GcmBox } from '../envelope/aes-gcm';
import { deriveKekVersion } from './kek-version';

/** The master keys (KEKs) a process holds: `current` wraps new DEKs; `previous` only unwrap. */
export interface KeyringOptions {
  /** The current master key: exactly 32 bytes (NAVPLANE_MASTER_KEY). */
  current: Buffer;
  /** Older master keys still accepted for unwrapping during a rotation (default none; NAVPLANE_MASTER_KEY_PREVIOUS). */
  previous?: readonly Buffer[];
}

/**
 * A set of master keys identified by version. It exposes versions only: the key bytes live in a module-private
 * store that no method, property, toString, toJSON or util.inspect reaches.
 */
export interface Keyring {
  /** Version of the current master key (the one new DEKs are wrapped with). */
  readonly currentVersion: number;
  /** Every version this keyring can unwrap, current first. */
  readonly versions: readonly number[];
  /** True when this keyring holds the master key of `kekVersion`. */
  has(kekVersion: number): boolean;
  /** `Keyring(current=<version>, versions=<versions>)`: versions only, never key bytes. */
  toString(): string;
}

/** Why a wrapped DEK could not be unwrapped. */
export type UnwrapFailure = 'unknown_kek_version' | 'integrity_check_failed';

interface KeyringSecrets {
  readonly current: number;
  readonly keks: ReadonlyMap<number, KeyObject>;
}

// Key material is reachable only through this module's functions, never through the Keyring object itself.
const secretsOf = new WeakMap<Keyring, KeyringSecrets>();

function settingName(index: number): string {
  return index === 0 ? 'NAVPLANE_MASTER_KEY' : `NAVPLANE_MASTER_KEY_PREVIOUS[${index}]`;
}

function badConfig(message: string, setting: string): AppError {
  return new AppError('internal_error', `${setting}: ${message}`, {
    details: { setting },
  });
}

/**
 * A keyring over `current` and `previous` master keys (default previous: none). Throws at start-up (bad
 * configuration) when a key is not exactly 32 bytes, when a key is repeated, or when two keys derive the same
 * version id. The keys are copied: the caller may wipe its buffers afterwards.
 */
export function createKeyring(options: KeyringOptions): Keyring {
  const candidates = [options.current, ...(options.previous ?? [])];
  const keks = new Map<number, KeyObject>();
  const raw: Buffer[] = [];
  candidates.forEach((key, index) => {
    const setting = settingName(index);
    if (!Buffer.isBuffer(key)) throw badConfig('must be a Buffer of 32 bytes', setting);
    if (key.length !== KEY_BYTES) {
      throw badConfig(`must be exactly ${KEY_BYTES} bytes (got ${key.length})`, setting);
    }
    const duplicate = raw.findIndex((seen) => timingSafeEqual(seen, key));
    if (duplicate >= 0) throw badConfig(`repeats ${settingName(duplicate)}`, setting);
    const version = deriveKekVersion(key);
    if (keks.has(version)) {
      throw badConfig(`derives the same version id as another master key; generate a new key`, setting);
    }
    raw.push(key);
    // A KeyObject copies the bytes outside the JS heap and prints as `SecretKeyObject { … }` without them.
    keks.set(version, createSecretKey(key));
  });
  const currentVersion = deriveKekVersion(options.current);
  const versions = Object.freeze([...keks.keys()]);
  const describe = () => ({ currentVersion, versions: [...versions] });

  const keyring: Keyring = Object.freeze({
    currentVersion,
    versions,
    has: (kekVersion: number) => keks.has(kekVersion),
    toJSON: describe,
    toString: () => `Keyring(current=${currentVersion}, versions=${versions.join(',')})`,
    [inspect.custom]: () => `Keyring ${inspect(describe())}`,
  });
  secretsOf.set(keyring, { current: currentVersion, keks });
  return keyring;
}

function secrets(keyring: Keyring): KeyringSecrets {
  const found = secretsOf.get(keyring);
  if (found === undefined) throw new Error('Not a keyring made by createKeyring');
  return found;
}

/** Wraps `dek` with the current master key; `aadFor(version)` gives the AAD bound to that version. */
export function wrapDek(keyring: Keyring, dek: Buffer, aadFor: (kekVersion: number) => Buffer): { kekVersion: number; box: GcmBox } {
  const { current, keks } = secrets(keyring);
  const kek = keks.get(current);
  if (kek === undefined) throw new Error('Keyring lost its current key');
  return { kekVersion: current, box: gcmEncrypt(kek, dek, aadFor(current)) };
}

/** Unwraps a DEK with the master key of `kekVersion`; the caller must wipe the returned buffer after use. */
export function unwrapDek(keyring: Keyring, box: GcmBox, kekVersion: number, aad: Buffer): Result<Buffer, UnwrapFailure> {
  const kek = secrets(keyring).keks.get(kekVersion);
  if (kek === undefined) return err('unknown_kek_version');
  const dek = gcmDecrypt(kek, box, aad);
  return dek === undefined ? err('integrity_check_failed') : ok(dek);
}
