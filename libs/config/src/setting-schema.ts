import { ok } from '@navplane/core';
import { z } from 'zod';
import type { ParseResult } from './setting-parsers';

// Every setting's zod schema takes the raw input (env string or file value) and owns its message, so what a
// problem says is written in setting-parsers.ts and never comes from zod's generic text (which may echo input).

/** The zod schema of a setting parsed by `parse`: any raw input in, the typed value out, or one issue. */
export function settingSchema<T>(parse: (raw: unknown) => ParseResult<T>) {
  return z.unknown().transform((raw, ctx): T => {
    const result = parse(raw);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.error });
    return z.NEVER;
  });
}

/** Like settingSchema, for a setting with no default: unset stays `undefined`. */
export function optionalSettingSchema<T>(parse: (raw: unknown) => ParseResult<T>) {
  return settingSchema((raw) => (raw === undefined ? ok(undefined) : parse(raw)));
}
