import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

// The layer table of docs/ARCHITECTURE.md must fail lint when broken. Each case lints a small
// source text as if it were a file of that project, through the repository's real ESLint config.
// The text is read from stdin under the path of an existing file of the project (nothing is written):
// type-aware rules need a file that the TypeScript project service finds in a tsconfig.
const ROOT = resolve(__dirname, '../../..');

jest.setTimeout(120_000);

describe('layer rules (eslint @nx/enforce-module-boundaries)', () => {
  // ESLint runs as a subprocess (its flat config is ESM, which Jest's CommonJS sandbox cannot load).
  async function messagesFor(file: string, code: string): Promise<string[]> {
    const out = await new Promise<string>((resolvePromise, reject) => {
      const child = spawn(
        process.execPath,
        [resolve(ROOT, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', file],
        { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' } },
      );
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
      child.on('error', reject);
      child.on('close', () => resolvePromise(text));
      child.stdin.end(code);
    });
    // A fatal error (the file is in no project, it does not parse) has no rule id: it shows as `null: …`.
    const [result] = JSON.parse(out) as Array<{ messages: Array<{ severity: number; ruleId: string | null; message: string }> }>;
    return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
  }

  it.each([
    [
      'storage importing express',
      'libs/storage/src/index.ts',
      "import express from 'express';\nexport const x = express;\n",
      'enforce-module-boundaries',
    ],
    [
      'core importing storage',
      'libs/core/src/index.ts',
      "import { openDatabase } from '@navplane/storage';\nexport const x = openDatabase;\n",
      'enforce-module-boundaries',
    ],
    [
      'config importing http',
      'libs/config/src/index.ts',
      "import { listen } from '@navplane/http';\nexport const x = listen;\n",
      'enforce-module-boundaries',
    ],
    [
      'http importing storage',
      'libs/http/src/index.ts',
      "import { openDatabase } from '@navplane/storage';\nexport const x = openDatabase;\n",
      'enforce-module-boundaries',
    ],
    [
      'production code importing testing',
      'libs/runtime/src/index.ts',
      "import { startFakeUpstream } from '@navplane/testing';\nexport const x = startFakeUpstream;\n",
      'enforce-module-boundaries',
    ],
    [
      'the gateway importing the admin API',
      'apps/gateway/src/index.ts',
      "import { createApp } from '@navplane/admin-api';\nexport const x = createApp;\n",
      'no-restricted-imports',
    ],
    ['a default export', 'libs/core/src/index.ts', 'export default 1;\n', 'no-restricted-syntax'],
  ])('refuses %s', async (_name, file, code, rule) => {
    const messages = await messagesFor(file, code);
    expect(messages).not.toEqual([]);
    expect(messages.join('\n')).toContain(rule);
  });

  it.each([
    [
      'runtime importing storage',
      'libs/runtime/src/index.ts',
      "import { openDatabase } from '@navplane/storage';\nexport const x = openDatabase;\n",
    ],
    [
      'a spec importing testing',
      'libs/runtime/src/runtime.spec.ts',
      "import { startFakeUpstream } from '@navplane/testing';\nexport const x = startFakeUpstream;\n",
    ],
    [
      'the CLI importing the gateway',
      'apps/cli/src/main.ts',
      "import { createApp } from '@navplane/gateway';\nexport const x = createApp;\n",
    ],
  ])('allows %s', async (_name, file, code) => {
    expect(await messagesFor(file, code)).toEqual([]);
  });
});
