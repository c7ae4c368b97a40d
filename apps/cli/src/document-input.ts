import { readFile, stat } from 'node:fs/promises';
import { describeError } from './describe-error';
import { CliError, JSON_SCHEMA_VERSION } from './output';
import { readStdin } from './read-secret';

/** Largest document file read by `route set` and `limits set` (a full routing table or limits document is far smaller). */
export const MAX_DOCUMENT_FILE_BYTES = 1_048_576;

/** The text of `--file` (`-`: stdin), bounded; `what` names the document in errors (`routing table`). */
export async function readDocumentText(file: string, what: string): Promise<string> {
  if (file === '-') {
    const text = await readStdin(what);
    if (Buffer.byteLength(text) > MAX_DOCUMENT_FILE_BYTES)
      throw new CliError(`the ${what} on stdin is over ${MAX_DOCUMENT_FILE_BYTES} bytes`, 2);
    return text;
  }
  try {
    if ((await stat(file)).size > MAX_DOCUMENT_FILE_BYTES) throw new CliError(`${file} is over ${MAX_DOCUMENT_FILE_BYTES} bytes`, 2);
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read the ${what} from ${file}: ${describeError(error)}`);
  }
}

/**
 * The document in `text`: JSON, as the admin API's `PUT` takes it. What `show --format json` prints is accepted too
 * (its `schemaVersion` and `orgId` are dropped; an `orgId` of another org is refused). `source` names where the text
 * came from (`stdin`, the path), `what` the document.
 */
export function parseDocumentText(text: string, source: string, orgId: string, what: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not JSON: ${describeError(error)}`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed;
  const shownOrg = 'orgId' in parsed ? parsed.orgId : undefined;
  const schemaVersion = 'schemaVersion' in parsed ? parsed.schemaVersion : undefined;
  const document = Object.fromEntries(Object.entries(parsed).filter(([name]) => name !== 'orgId' && name !== 'schemaVersion'));
  if (shownOrg !== undefined && shownOrg !== orgId) {
    throw new CliError(`${source} is the ${what} of ${JSON.stringify(shownOrg)}, not of ${orgId}: remove its "orgId" to use it`, 2);
  }
  if (schemaVersion !== undefined && schemaVersion !== JSON_SCHEMA_VERSION) {
    throw new CliError(`${source} has schemaVersion ${JSON.stringify(schemaVersion)}; this CLI reads ${JSON_SCHEMA_VERSION}`, 2);
  }
  return document;
}

/** The document of `--file` (`-`: stdin), read and parsed (see readDocumentText and parseDocumentText). */
export async function readDocumentFile(file: string, orgId: string, what: string): Promise<unknown> {
  return parseDocumentText(await readDocumentText(file, what), file === '-' ? 'stdin' : file, orgId, what);
}
