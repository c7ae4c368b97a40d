import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDatabaseUrl } from '@navplane/core';
import { formatConfigProblems } from './config-problems';
import { loadConfig } from './load-config';
import { maskUrlCredentials } from './mask';

// Every database URL form the docs show must pass configuration validation and open the same database that
// `openDatabase` (the same parser) would open. The forms are read from the docs, so a new example is checked
// as soon as it is written.
const ROOT = join(__dirname, '../../..');
const DOCS = ['README.md', 'docs/storage.md', 'docs/configuration.md', 'libs/storage/README.md', 'libs/config/README.md'];

// A form as written in prose stands for a concrete URL: `sqlite:<path>` for a path, `postgres://…` (or a bare
// `postgres://`) for a URL with a host.
function concrete(form: string): string {
  if (form.includes('<path>')) return form.replace('<path>', './data/navplane.db');
  if (/^postgres(ql)?:\/\/(…)?$/.test(form)) return `${form.replace('…', '')}navplane:secret@db.example.com:5432/navplane`;
  return form;
}

const documented = [
  ...new Set(
    DOCS.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\b(?:sqlite|postgres(?:ql)?):[^\s`|)'"]*/g)].map((match) =>
        match[0].replace(/[.,;]+$/, ''),
      ),
    ),
  ),
];

const CWD = '/srv/navplane';

describe('database URL forms shown in the docs', () => {
  it('finds the forms the docs promise', () => {
    expect(documented).toEqual(
      expect.arrayContaining(['sqlite:<path>', 'sqlite:///abs/path', 'sqlite::memory:', 'sqlite:./data/navplane.db', 'postgresql://…']),
    );
  });

  it.each(documented.map((form) => [form, concrete(form)]))('%s is accepted by validation and the parser, which agree', (_form, url) => {
    const parsed = parseDatabaseUrl(url, CWD);
    expect(parsed).toMatchObject({ ok: true });
    const loaded = loadConfig({ NAVPLANE_DATABASE_URL: url });
    if (!loaded.ok) throw new Error(formatConfigProblems(loaded.error).join('\n'));
    expect(parseDatabaseUrl(loaded.value.databaseUrl, CWD)).toEqual(parsed);
  });

  it('opens sqlite:///abs/path at the absolute path, whatever the working directory', () => {
    expect(parseDatabaseUrl('sqlite:///var/lib/navplane/navplane.db', CWD)).toEqual({
      ok: true,
      value: { dialect: 'sqlite', filename: '/var/lib/navplane/navplane.db' },
    });
  });

  it.each([
    'mysql://u:secret@db/np',
    './navplane.db',
    'sqlite:',
    'sqlite://db/np',
    'postgres:db',
    'postgres:///np',
    'postgres://u:secret@/np',
  ])('%s is refused by both with the same one-line reason', (url) => {
    const parsed = parseDatabaseUrl(url, CWD);
    if (parsed.ok) throw new Error(`expected ${url} to be refused`);
    const loaded = loadConfig({ NAVPLANE_DATABASE_URL: url });
    if (loaded.ok) throw new Error(`expected ${url} to be refused`);
    const lines = formatConfigProblems(loaded.error);
    expect(lines).toHaveLength(1);
    // The loader masks every `user:password@` in a problem, the example in the reason included.
    expect(lines[0]).toMatch(new RegExp(`^NAVPLANE_DATABASE_URL: ${escape(maskUrlCredentials(parsed.error))} \\(got ".*"\\)$`));
    expect(lines[0]).not.toContain('secret');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
