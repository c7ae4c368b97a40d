import autocannon from 'autocannon';
import type { BenchRequest } from './open-loop';

/** What a saturation run measured. */
export interface SaturationResult {
  /** Mean requests answered per second. */
  rps: number;
  /** Responses received (any status): the divisor of CPU per request. */
  completed: number;
  errors: number;
  non2xx: number;
}

/** Requests per second at saturation (closed loop, `connections` concurrent clients). */
export async function saturate(baseUrl: string, req: BenchRequest, seconds: number, connections = 64): Promise<SaturationResult> {
  const result = await autocannon({
    url: `${baseUrl}${req.path}`,
    method: 'POST',
    headers: { ...req.headers, 'content-type': 'application/json' },
    body: req.body,
    connections,
    duration: seconds,
  });
  return {
    rps: result.requests.average,
    completed: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
