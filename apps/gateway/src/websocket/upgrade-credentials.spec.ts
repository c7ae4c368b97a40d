import { openaiAdapter } from '@navplane/providers';
import { extractUpgradeCredentials, offeredProtocols, upstreamProtocols } from './upgrade-credentials';

const looksLikeProviderKey = (value: string) => value.startsWith('sk-');
const KEY = 'np_abcdefgh_0123456789abcdef0123456789abcdef';

describe('WebSocket upgrade credentials', () => {
  it('prefers the key headers', () => {
    expect(extractUpgradeCredentials({ authorization: `Bearer ${KEY}` }, openaiAdapter, looksLikeProviderKey)).toEqual({
      mode: 'vault',
      navplaneKey: KEY,
    });
  });

  it('takes a NavPlane key from the openai-insecure-api-key subprotocol', () => {
    const headers = { 'sec-websocket-protocol': `realtime, openai-insecure-api-key.${KEY}` };
    expect(extractUpgradeCredentials(headers, openaiAdapter, looksLikeProviderKey)).toEqual({ mode: 'vault', navplaneKey: KEY });
    expect(upstreamProtocols(headers)).toEqual(['realtime']);
    expect(offeredProtocols(headers)).toEqual(['realtime', `openai-insecure-api-key.${KEY}`]);
  });

  it('refuses a provider key in the subprotocol without X-NavPlane-Key, and keeps it upstream in passthrough', () => {
    const protocols = { 'sec-websocket-protocol': 'realtime, openai-insecure-api-key.sk-live' };
    expect(extractUpgradeCredentials(protocols, openaiAdapter, looksLikeProviderKey)).toEqual({ mode: 'invalid', providerKey: true });
    const passthrough = { ...protocols, 'x-navplane-key': KEY };
    expect(extractUpgradeCredentials(passthrough, openaiAdapter, looksLikeProviderKey)).toMatchObject({
      mode: 'passthrough',
      navplaneKey: KEY,
    });
    expect(upstreamProtocols(passthrough)).toEqual(['realtime', 'openai-insecure-api-key.sk-live']);
  });

  it('finds nothing when no key is anywhere', () => {
    expect(extractUpgradeCredentials({ 'sec-websocket-protocol': 'realtime' }, openaiAdapter, looksLikeProviderKey)).toEqual({
      mode: 'none',
    });
  });
});
