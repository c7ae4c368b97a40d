import { ERROR_CODES } from '@navplane/core';
import { z } from 'zod';

/** An ISO-8601 UTC timestamp in a response. */
export const timestamp = z.string().meta({ format: 'date-time', description: 'ISO-8601 UTC' });

/** The contract's JSON error envelope (every error the admin API itself returns). */
export const errorEnvelopeSchema = z.object({
  error: z.object({
    message: z.string().describe('What went wrong, for people (never a secret)'),
    type: z.string().describe('Error class in the OpenAI/Anthropic vocabulary'),
    code: z.enum(ERROR_CODES).describe('Stable machine-readable code'),
    param: z.string().optional().describe('The request field that was rejected (invalid_request)'),
  }),
});

/** `{ data: [...] }`: an unpaginated list. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });

/** `{ data: [...], nextCursor }`: one page, newest first; pass `nextCursor` as `before` for the next one. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `before` to get the next page; null on the last page'),
  });

/** A path id (`org_…`, `key_…`): any text; a malformed id is simply not found. */
export const pathId = (description: string) => z.string().min(1).max(128).describe(description);

/** `:orgId` path parameter. */
export const orgParams = z.strictObject({ orgId: pathId('Org id (`org_…`)') });

/** Page size query parameter (1-1000). */
export const limitQuery = (defaultLimit: number) =>
  z.coerce.number().int().min(1).max(1000).optional().describe(`Page size, 1-1000 (default ${defaultLimit})`);
