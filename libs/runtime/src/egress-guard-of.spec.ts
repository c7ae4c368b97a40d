import { configWithDefaults, loadConfig } from '@navplane/config';
import { parseEgressAllowlist } from '@navplane/egress';
import { egressGuardOf } from './runtime';

// libs/config validates NAVPLANE_UPSTREAM_ALLOWLIST (start-up, `config validate`) and @navplane/egress reads it: the
// two must agree on every entry, or a value config accepts would fail the start-up here.
describe('NAVPLANE_UPSTREAM_ALLOWLIST, as libs/config validates it and @navplane/egress reads it', () => {
  it.each([
    'vllm.internal',
    'VLLM.Internal.',
    'my_host.internal',
    '10.0.0.5',
    '[fd00::5]',
    'fd00::5',
    '10.0.0.0/8',
    'fd00::/8',
    '[fd00::]/8',
    '0.0.0.0/0',
    '10.0.0.0/33',
    'fd00::/129',
    'nope/8',
    'bad host',
    'a..b',
    '-leading.example',
    'https://x.example',
    'x.example:8080',
  ])('agree on %s', (entry) => {
    const config = loadConfig({ NAVPLANE_UPSTREAM_ALLOWLIST: entry });
    expect([entry, config.ok]).toEqual([entry, parseEgressAllowlist(entry).ok]);
  });

  it('builds the guard from the validated setting: an allowlisted host passes, another private one does not', () => {
    const guard = egressGuardOf(configWithDefaults({ upstreamAllowlist: ['10.0.0.0/8'] }));
    expect(guard.checkUrl('http://10.1.2.3:8080').ok).toBe(true);
    expect(guard.checkUrl('https://192.168.0.1').ok).toBe(false);
  });
});
