import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { err, ok, type Result } from '@navplane/core';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { CONFIG_FILE_VARIABLE, CONFIG_SETTINGS } from './config-settings';
import type { ConfigProblem } from './config-problems';

/** Largest config file read; anything bigger is a mistake (a log, a dump), not configuration. */
const MAX_FILE_BYTES = 1024 * 1024;

const FILE_KEYS = CONFIG_SETTINGS.flatMap((meta) => (meta.fileKey === null ? [] : [meta.fileKey]));

/** The shape of a config file: the known keys only, each holding any YAML/JSON value. */
export const configFileSchema = z.strictObject(Object.fromEntries(FILE_KEYS.map((key) => [key, z.unknown()])));

const problem = (message: string): ConfigProblem => ({ variable: CONFIG_FILE_VARIABLE, message });

/** The settings a config file holds (known keys only) and the problems found reading it. */
export interface ConfigFileContent {
  readonly values: Readonly<Record<string, unknown>>;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Reads and parses a YAML (.yaml/.yml) or JSON (.json) config file. Parse errors give only the
 * position, never the text around it (the file may hold secrets); unknown keys are problems, and
 * the known keys beside them are still returned so their values get validated too.
 */
export function readConfigFile(path: string): ConfigFileContent {
  const read = readMapping(path);
  if (!read.ok) return { values: {}, problems: read.error };
  const shape = configFileSchema.safeParse(read.value);
  if (shape.success) return { values: shape.data, problems: [] };
  const unknown = shape.error.issues.flatMap((issue) => (issue.code === 'unrecognized_keys' ? issue.keys : []));
  const values = Object.fromEntries(Object.entries(read.value).filter(([key]) => FILE_KEYS.includes(key)));
  return { values, problems: unknown.map((key) => problem(unknownKeyMessage(key, path))) };
}

function readMapping(path: string): Result<Record<string, unknown>, ConfigProblem[]> {
  const extension = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    return err([problem(`must name a .yaml, .yml or .json file (got ${JSON.stringify(path)})`)]);
  }
  let text: string;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return err([problem(`${JSON.stringify(path)} is not a file`)]);
    if (stats.size > MAX_FILE_BYTES) {
      return err([problem(`${JSON.stringify(path)} is larger than ${MAX_FILE_BYTES} bytes`)]);
    }
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return err([problem(`file not found: ${JSON.stringify(path)}`)]);
    return err([problem(`cannot read ${JSON.stringify(path)} (${code ?? 'unknown error'})`)]);
  }
  const parsed = extension === '.json' ? parseJson(text, path) : parseYaml(text, path);
  if (!parsed.ok) return parsed;
  const content = parsed.value ?? {};
  if (typeof content !== 'object' || Array.isArray(content)) {
    return err([problem(`${JSON.stringify(path)} must hold a mapping of settings such as gateway_port: 8080`)]);
  }
  return ok(content as Record<string, unknown>);
}

function parseJson(text: string, path: string): Result<unknown, ConfigProblem[]> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (cause) {
    // V8 messages can quote the text around the error; keep only the position.
    const position = /position (\d+)/.exec(String((cause as Error).message))?.[1];
    const where = position === undefined ? '' : ` (${lineColumn(text, Number(position))})`;
    return err([problem(`${JSON.stringify(path)} is not valid JSON${where}`)]);
  }
}

function parseYaml(text: string, path: string): Result<unknown, ConfigProblem[]> {
  const document = parseDocument(text, { uniqueKeys: true });
  // prettyErrors (the default) computes linePos; its message quotes the file, so it is not used.
  if (document.errors.length > 0) {
    return err(
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : '';
        return problem(`${JSON.stringify(path)} is not valid YAML (${error.code}${where})`);
      }),
    );
  }
  try {
    return ok(document.toJS({ maxAliasCount: 100 }) as unknown);
  } catch {
    return err([problem(`${JSON.stringify(path)} is not valid YAML (too many aliases)`)]);
  }
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function unknownKeyMessage(key: string, path: string): string {
  const shown = JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
  const suggestion = suggestKey(key);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : '';
  return `unknown key ${shown} in ${JSON.stringify(path)}${hint}; keys are the variable names without NAVPLANE_ in lower snake case, e.g. gateway_port`;
}

/** The known key a mistyped or env-styled key most likely meant, if any is close. */
function suggestKey(key: string): string | undefined {
  const normalised = key
    .trim()
    .toLowerCase()
    .replace(/-/g, '_')
    .replace(/^navplane_/, '');
  if (FILE_KEYS.includes(normalised)) return normalised;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of FILE_KEYS) {
    const distance = levenshtein(normalised, candidate);
    if (distance <= 3 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
