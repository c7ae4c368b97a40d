import { isKeyHeaderName } from './key-header-name';

describe('isKeyHeaderName', () => {
  it.each(['x-api-key', 'api-key', 'authorization', 'x-goog-api-key'])('accepts %s', (name) => {
    expect(isKeyHeaderName(name)).toBe(true);
  });

  it.each(['host', 'content-length', 'cookie', 'x-navplane-key', 'X-Api-Key', 'x api key', '', 'x_api_key'])('refuses %j', (name) => {
    expect(isKeyHeaderName(name)).toBe(false);
  });
});
