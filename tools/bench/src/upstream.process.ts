// Bench process: the fake OpenAI/Anthropic upstream on loopback, recording off.
import { startFakeUpstream } from '@navplane/testing';

void (async () => {
  const upstream = await startFakeUpstream({ record: false });
  process.stdout.write(`${JSON.stringify({ ready: true, url: upstream.url })}\n`);
  process.on('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
})();
