import { z } from 'zod';

/** A JSON Schema object (2020-12, what OpenAPI 3.1 embeds). */
export type JsonSchema = Record<string, unknown>;

/** True for a JSON object (a schema, or a schema's `properties`), not an array or null. */
export function isJsonObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON Schema of `schema` as OpenAPI 3.1 embeds it: requests as `input` (what clients may send), responses as
 * `output`. Throws for a schema that needs `$defs` (recursive types): their refs would not resolve inside the
 * document, and no admin route needs one.
 */
export function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'throw' }) as JsonSchema;
  if ('$defs' in json) throw new Error('toOpenApiSchema: recursive schemas are not supported in the admin API');
  return json;
}
