import { configWithDefaults } from './load-config';
import { providerRegistrySettings } from './provider-settings';

describe('providerRegistrySettings', () => {
  it('passes the config file providers as the operator-defined OpenAI-compatible ones', () => {
    const providers = [{ id: 'vllm', baseUrl: 'http://127.0.0.1:8000', auth: 'bearer' }];
    expect(providerRegistrySettings(configWithDefaults({ providers })).openaiCompatible).toEqual(providers);
  });

  it("gives each built-in provider's base URL setting under its provider id", () => {
    const config = configWithDefaults({ mistralBaseUrl: 'https://mistral.proxy.example/eu' });
    expect(providerRegistrySettings(config)).toEqual({
      baseUrls: {
        openai: 'https://api.openai.com',
        anthropic: 'https://api.anthropic.com',
        gemini: 'https://generativelanguage.googleapis.com',
        mistral: 'https://mistral.proxy.example/eu',
      },
      openaiCompatible: [],
    });
  });
});
