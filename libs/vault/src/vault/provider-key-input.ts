import { AppError } from '@navplane/core';
import { isAadBaseUrl, isAadComponent } from '../envelope/aad';
import type { StoreProviderKeyInput } from './vault.types';

const PROVIDER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
// Provider keys are long random tokens: with fewer characters `last4` would give away too much of the key.
const MIN_KEY_LENGTH = 8;
const MAX_KEY_LENGTH = 4096;
// Whitespace or control characters would at best break the upstream auth header, at worst split it.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_KEY_CHARACTERS = /[\s\u0000-\u001f\u007f]/;

/** True when `provider` is a well-formed provider name (`openai`, `anthropic`, …). */
export function isProviderName(provider: unknown): provider is string {
  return typeof provider === 'string' && PROVIDER_NAME.test(provider);
}

/** Throws AppError('invalid_request') when the input cannot be stored; messages never include the key. */
export function assertStorable(input: StoreProviderKeyInput): void {
  const invalid = (message: string, field: string) => new AppError('invalid_request', message, { details: { field } });
  if (!isAadComponent(input.orgId)) throw invalid('orgId is not a valid id', 'orgId');
  if (!isProviderName(input.provider)) throw invalid('provider must be a lowercase provider name', 'provider');
  // The name rule itself (KEY_NAME, docs/routing.md) is the callers'; the vault only refuses what cannot be bound.
  if (input.name !== undefined && !isAadComponent(input.name)) throw invalid('name is not a valid key name', 'name');
  if (input.rowId !== undefined && !isAadComponent(input.rowId)) throw invalid('rowId is not a valid id', 'rowId');
  const { key } = input;
  if (typeof key !== 'string' || key.length < MIN_KEY_LENGTH || key.length > MAX_KEY_LENGTH) {
    throw invalid(`key must be ${MIN_KEY_LENGTH}-${MAX_KEY_LENGTH} characters`, 'key');
  }
  if (FORBIDDEN_KEY_CHARACTERS.test(key)) throw invalid('key must not contain whitespace or control characters', 'key');
  if (input.baseUrl !== undefined && !isAadBaseUrl(input.baseUrl)) {
    throw invalid('baseUrl must be 1-2048 characters without whitespace or control characters', 'baseUrl');
  }
}
