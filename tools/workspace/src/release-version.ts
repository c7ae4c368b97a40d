// `npm run release:version -- <x.y.z>`: sets one version everywhere it is written — the root package.json, every
// workspace package.json, the exact `@navplane/*` pins between workspaces — and moves the changelog's
// "Unreleased" entries under the new version with today's date (docs/releasing.md), then refreshes
// package-lock.json (`npm install --package-lock-only`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

interface Manifest {
  name?: string;
  version?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * The text of a package.json with its `version` set and every `@navplane/*` dependency pinned to it. Edits the text
 * in place, so the file keeps its own formatting; throws when the manifest has no `version`.
 */
export function bumpManifestText(text: string, version: string): string {
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.version === undefined) throw new Error(`${manifest.name ?? 'a package.json'} has no version`);
  let next = text.replace(/"version": "[^"]*"/, `"version": "${version}"`);
  for (const deps of [manifest.dependencies, manifest.devDependencies]) {
    for (const [name, range] of Object.entries(deps ?? {})) {
      if (!name.startsWith('@navplane/')) continue;
      next = next.split(`"${name}": "${range}"`).join(`"${name}": "${version}"`);
    }
  }
  return next;
}

/**
 * The changelog with an empty "Unreleased" section followed by `## [version] - date` holding what "Unreleased"
 * held. Throws when there is no "Unreleased" section, when it is empty, or when the version already has one.
 */
export function releaseChangelog(changelog: string, version: string, date: string): string {
  const heading = '## [Unreleased]';
  const start = changelog.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`CHANGELOG.md has no "${heading}" section`);
  if (changelog.includes(`## [${version}]`)) throw new Error(`CHANGELOG.md already has a section for ${version}`);
  const bodyStart = start + heading.length + 1;
  const next = changelog.indexOf('\n## [', bodyStart);
  const body = changelog.slice(bodyStart, next < 0 ? undefined : next + 1);
  if (body.trim() === '') throw new Error('the "Unreleased" section is empty: nothing to release');
  return `${changelog.slice(0, bodyStart)}\n## [${version}] - ${date}\n${body}${next < 0 ? '' : changelog.slice(next + 1)}`;
}

/** The workspace folders of the root manifest's `workspaces` globs (`libs/*` style only). */
function workspaceFolders(root: Manifest): string[] {
  return (root.workspaces ?? []).flatMap((glob) => {
    const parent = glob.replace(/\/\*$/, '');
    return readdirSync(join(ROOT, parent))
      .map((name) => join(parent, name))
      .filter((folder) => existsSync(join(ROOT, folder, 'package.json')));
  });
}

function main(argv: string[]): void {
  const version = argv[0];
  if (version === undefined || !SEMVER.test(version)) {
    process.stderr.write('usage: npm run release:version -- <x.y.z>\n');
    process.exit(2);
  }
  const rootPath = join(ROOT, 'package.json');
  const root = JSON.parse(readFileSync(rootPath, 'utf8')) as Manifest;
  const files = ['package.json', ...workspaceFolders(root).map((folder) => join(folder, 'package.json'))];
  for (const file of files) {
    const path = join(ROOT, file);
    writeFileSync(path, bumpManifestText(readFileSync(path, 'utf8'), version));
  }
  const changelogPath = join(ROOT, 'CHANGELOG.md');
  const today = new Date().toISOString().slice(0, 10);
  writeFileSync(changelogPath, releaseChangelog(readFileSync(changelogPath, 'utf8'), version, today));
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  process.stdout.write(`version ${version}: ${files.length} package.json files, package-lock.json and CHANGELOG.md updated\n`);
}

if (require.main === module) main(process.argv.slice(2));
