import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Read at run time (src/ under Jest, dist/ when built: both sit next to package.json's folder).
function readVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The CLI's version (apps/cli/package.json), shown by `--version` and stamped into debug bundles. */
export const CLI_VERSION = readVersion();
