// Typed reads of the admin API's JSON answers in specs (supertest types `res.body` as any).
import type { Response } from 'supertest';
import type { z } from 'zod';
import { errorEnvelopeSchema } from '../schemas/common.schemas';

/**
 * The body of `res` parsed through `schema`, the route's own response schema: a body of another shape fails the
 * test right here. Parsing drops fields the schema does not name, so a test about what a body must NOT carry
 * (a secret, a hash) looks at `res.body` itself.
 */
export function bodyOf<S extends z.ZodType>(res: Response, schema: S): z.output<S> {
  return schema.parse(res.body);
}

/** The `error` of the contract's JSON error envelope that `res` carries (anything else fails the test). */
export function errorOf(res: Response): z.output<typeof errorEnvelopeSchema>['error'] {
  return errorEnvelopeSchema.parse(res.body).error;
}
