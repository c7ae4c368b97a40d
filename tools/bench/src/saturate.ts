import autocannon from 'autocannon';
import type { BenchRequest } from './open-loop';

/** Requests per second at saturation (closed loop, `connections` concurrent clients). */
export async function saturate(baseUrl: string, req: BenchRequest, seconds: number, connections = 64): Promise<{ rps: number; errors: number; non2xx: number }> {
  const result = await autocannon({
    url: `${baseUrl}${req.path}`,
    method: 'POST',
    headers: { ...req.headers, 'content-type': 'application/json' },
    body: req.body,
    connections,
    duration: seconds,
  });
  return { rps: result.requests.average, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}
