import { readFile } from 'node:fs/promises';
import { describeError } from './describe-error';
import { CliError } from './output';

/** Reads all of stdin as UTF-8 (a TTY gets a one-line hint on stderr first). */
export async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`navplane: reading the ${what} from stdin (paste it, then press Ctrl-D)\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a secret file (whole content, UTF-8). */
export async function readSecretFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the ${what} from ${path}: ${describeError(error)}`);
  }
}

/**
 * The secret without surrounding whitespace (the newline `echo` or an editor adds). Fails when it is empty or
 * holds whitespace or control characters inside (two keys pasted, a broken file); the message never shows it.
 */
export function cleanSecret(text: string, what: string): string {
  const secret = text.trim();
  if (secret === '') throw new CliError(`no ${what} given: pipe it on stdin or use --from-file <path>`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(secret)) throw new CliError(`the ${what} must be a single line without spaces`);
  return secret;
}
