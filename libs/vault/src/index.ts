export { PROVIDER_KEY_AAD_LABEL } from './envelope/aad';
export { deriveKekVersion } from './keyring/kek-version';
export { createKeyring, type Keyring, type KeyringOptions } from './keyring/keyring';
export { createVault } from './vault/vault';
export type * from './vault/vault.types';
