/**
 * The vault name of an org's placeholder salt (an internal secret: sealed and re-wrapped like provider keys, never
 * listed as one). Rotating it changes every placeholder from then on; placeholders already stored keep their value.
 */
export const PLACEHOLDER_SALT_SECRET = 'navplane.placeholder-salt';
