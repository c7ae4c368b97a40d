import { configWithDefaults } from './load-config';
import { providerRegistrySettings } from './provider-settings';

describe('providerRegistrySettings', () => {
  it("gives each built-in provider's base URL setting under its provider id", () => {
    const config = configWithDefaults({ mistralBaseUrl: 'https://mistral.proxy.example/eu' });
    expect(providerRegistrySettings(config)).toEqual({
      baseUrls: { openai: 'https://api.openai.com', anthropic: 'https://api.anthropic.com', mistral: 'https://mistral.proxy.example/eu' },
    });
  });
});
