import { anthropicAdapter, createOpenAICompatibleAdapter, createProviderRegistry, openaiAdapter } from '@navplane/providers';
import { extractCredentials } from './extract-credentials';

const registry = createProviderRegistry({
  baseUrls: {
    openai: 'https://api.openai.com',
    anthropic: 'https://api.anthropic.com',
    gemini: 'https://generativelanguage.googleapis.com',
    mistral: 'https://api.mistral.ai',
  },
});
const looksLikeProviderKey = registry.looksLikeProviderKey;
// A provider whose SDK puts its key in a header of its own (as Azure's `api-key` or Gemini's `x-goog-api-key`).
const headerKeyed = createOpenAICompatibleAdapter('local', { kind: 'header', name: 'api-key' });
const NP = 'np_0123456789abcdefghijklmnop';

describe('extractCredentials', () => {
  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${NP}` }],
    ['x-api-key', { 'x-api-key': NP }],
  ])('takes the NavPlane key from %s on every provider route (vault mode)', (_name, headers) => {
    for (const adapter of [openaiAdapter, anthropicAdapter, headerKeyed]) {
      expect(extractCredentials(headers, adapter, looksLikeProviderKey)).toEqual({ mode: 'vault', navplaneKey: NP });
    }
  });

  it('takes the NavPlane key where the provider’s SDK puts its own key, on that provider’s routes only', () => {
    expect(extractCredentials({ 'api-key': NP }, headerKeyed, looksLikeProviderKey)).toEqual({ mode: 'vault', navplaneKey: NP });
    expect(extractCredentials({ 'api-key': NP }, openaiAdapter, looksLikeProviderKey)).toEqual({ mode: 'none' });
  });

  it('passthrough: forwards the provider key from the provider’s key headers as sent, never a NavPlane key', () => {
    expect(
      extractCredentials(
        { 'x-navplane-key': NP, 'api-key': 'local-secret', authorization: 'Bearer other' },
        headerKeyed,
        looksLikeProviderKey,
      ),
    ).toEqual({ mode: 'passthrough', navplaneKey: NP, providerHeaders: { 'api-key': 'local-secret' } });
    expect(
      extractCredentials(
        { 'x-navplane-key': NP, 'x-api-key': 'sk-ant-1', authorization: `Bearer ${NP}` },
        anthropicAdapter,
        looksLikeProviderKey,
      ),
    ).toEqual({ mode: 'passthrough', navplaneKey: NP, providerHeaders: { 'x-api-key': 'sk-ant-1' } });
  });

  it('refuses another credential, telling a provider key (of any provider) from garbage', () => {
    expect(extractCredentials({ authorization: 'Bearer sk-proj-1' }, anthropicAdapter, looksLikeProviderKey)).toEqual({
      mode: 'invalid',
      providerKey: true,
    });
    expect(extractCredentials({ 'x-api-key': 'sk-ant-api03-1' }, openaiAdapter, looksLikeProviderKey)).toEqual({
      mode: 'invalid',
      providerKey: true,
    });
    expect(extractCredentials({ 'api-key': 'whatever' }, headerKeyed, looksLikeProviderKey)).toEqual({
      mode: 'invalid',
      providerKey: false,
    });
    expect(extractCredentials({ authorization: `Basic ${NP}` }, openaiAdapter, looksLikeProviderKey)).toEqual({
      mode: 'invalid',
      providerKey: false,
    });
  });

  it('finds no credential in an empty or absent header', () => {
    expect(extractCredentials({ authorization: '  ', 'x-api-key': '' }, openaiAdapter, looksLikeProviderKey)).toEqual({ mode: 'none' });
  });
});
