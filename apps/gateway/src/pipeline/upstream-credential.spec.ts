import { inspect } from 'node:util';
import { UpstreamCredential } from './upstream-credential';

describe('UpstreamCredential', () => {
  const credential = new UpstreamCredential({ authorization: 'Bearer sk-secret-value-1234' }, 'sk-secret-value-1234');

  it('gives its headers and injected key only when asked', () => {
    expect(credential.headers()).toEqual({ authorization: 'Bearer sk-secret-value-1234' });
    expect(credential.injectedSecret()).toBe('sk-secret-value-1234');
    expect(new UpstreamCredential({ 'x-api-key': 'sk-byok' }).injectedSecret()).toBeUndefined();
  });

  it('never shows the key in JSON, strings or inspect output (a context dumped into a log)', () => {
    const context = { traceId: 'trc_1', upstreamCredential: credential };
    for (const text of [
      JSON.stringify(context),
      String(credential),
      // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- what this test is about: a credential interpolated by mistake
      `${credential}`,
      inspect(context, { depth: 5 }),
      inspect(credential, { showHidden: true }),
    ]) {
      expect(text).not.toContain('sk-secret');
      expect(text).toContain('[redacted upstream credential]');
    }
  });
});
