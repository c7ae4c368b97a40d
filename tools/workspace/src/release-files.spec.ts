import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bumpManifestText, releaseChangelog, ROOT } from './release-version';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const manifests = ['apps', 'libs', 'tools'].flatMap((parent) =>
  readdirSync(join(ROOT, parent))
    .map((name) => join(parent, name, 'package.json'))
    .filter((file) => existsSync(join(ROOT, file))),
);

describe('the release files', () => {
  const root = JSON.parse(read('package.json')) as { version: string; license: string };

  it('has a LICENSE that matches package.json', () => {
    expect(root.license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n/);
  });

  it('gives every workspace the root version and pins the @navplane/* dependencies to it', () => {
    for (const file of manifests) {
      const manifest = JSON.parse(read(file)) as { version: string; dependencies?: Record<string, string> };
      expect({ file, version: manifest.version }).toEqual({ file, version: root.version });
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        if (name.startsWith('@navplane/')) expect({ file, name, range }).toEqual({ file, name, range: root.version });
      }
    }
  });

  it('keeps a changelog with an Unreleased section and a section for the current version', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).toContain('## [Unreleased]\n');
    expect(changelog).toMatch(new RegExp(`^## \\[${root.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
  });

  it('has a GitHub workflow that runs .ci/run', () => {
    expect(read('.github/workflows/ci.yml')).toMatch(/bash \.ci\/run/);
  });
});

describe('release:version', () => {
  it('sets the version and the @navplane/* pins, keeping the file as it was written otherwise', () => {
    const text = [
      '{',
      '  "name": "@navplane/storage",',
      '  "version": "0.1.0",',
      '  "exports": { ".": { "@navplane/source": "./src/index.ts" } },',
      '  "files": ["dist", "README.md"],',
      '  "dependencies": { "@navplane/core": "0.1.0", "kysely": "^0.28.18" },',
      '  "devDependencies": { "@navplane/testing": "0.1.0" }',
      '}',
      '',
    ].join('\n');
    expect(bumpManifestText(text, '0.2.0')).toBe(
      text
        .replace('"version": "0.1.0"', '"version": "0.2.0"')
        .replace('"@navplane/core": "0.1.0"', '"@navplane/core": "0.2.0"')
        .replace('"@navplane/testing": "0.1.0"', '"@navplane/testing": "0.2.0"'),
    );
    expect(() => bumpManifestText('{ "name": "x" }', '0.2.0')).toThrow(/has no version/);
  });

  it('moves the Unreleased entries under the new version, leaving Unreleased empty', () => {
    const before = '# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Added\n\n- A thing.\n\n## [0.1.0] - 2026-11-23\n\n- First.\n';
    expect(releaseChangelog(before, '0.2.0', '2026-12-07')).toBe(
      '# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [0.2.0] - 2026-12-07\n\n### Added\n\n- A thing.\n\n## [0.1.0] - 2026-11-23\n\n- First.\n',
    );
    expect(() => releaseChangelog(before, '0.1.0', '2026-12-07')).toThrow(/already has a section for 0.1.0/);
    expect(() => releaseChangelog('# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - x\n', '0.2.0', 'd')).toThrow(/empty/);
    expect(() => releaseChangelog('# Changelog\n', '0.2.0', 'd')).toThrow(/no "## \[Unreleased\]"/);
  });
});
