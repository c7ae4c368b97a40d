import { anthropicErrorBody } from './anthropic.fixtures';
import type { FakeProvider } from './fake-upstream.types';
import { geminiErrorBody } from './gemini.fixtures';
import { openaiErrorBody } from './openai-misc.fixtures';

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const OPENAI_FIELDS: Readonly<Record<number, { type: string; code: string | null }>> = {
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

/** The error `type` Anthropic uses for `status` (unknown 5xx → `api_error`, else `invalid_request_error`). */
export function anthropicErrorType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** A provider-shaped error body for `status`, as the real API would send it (message default names the status). */
export function providerErrorBody(provider: FakeProvider, status: number, message?: string): object {
  const text = message ?? `Fake upstream error (HTTP ${status})`;
  if (provider === 'anthropic') return anthropicErrorBody(anthropicErrorType(status), text);
  if (provider === 'gemini') return geminiErrorBody(status, text);
  const fields = OPENAI_FIELDS[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
  };
  return openaiErrorBody({
    message: text,
    type: fields.type,
    code: fields.code,
  });
}
