import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { preProcessFile } from 'typescript';

// Each lib and app states what it may import twice: in words, on the "May import:" line of its README (what a reader
// trusts), and in its package.json dependencies (what npm and Nx see). The two must list the same packages,
// and its shipped sources must import exactly those (plus Node built-ins). Test-only files (`*.spec.ts`,
// `*.fixture.ts`) may also use dev dependencies (the project's own devDependencies and the workspace root's).
const ROOT = resolve(__dirname, '../../..');
const IMPLICIT = new Set(['tslib']);
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

interface ProjectManifest {
  readonly name: string;
  readonly readmeLine: string | undefined;
  readonly readmeImports: readonly string[];
  readonly dependencies: readonly string[];
  readonly sourceImports: ReadonlyMap<string, readonly string[]>;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function shippedSources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return shippedSources(path);
    return entry.endsWith('.ts') && !entry.endsWith('.spec.ts') && !entry.endsWith('.fixture.ts') ? [path] : [];
  });
}

function readManifest(project: string): ProjectManifest {
  const dir = join(ROOT, project);
  const self = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name;
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const readmeLine = readme.split('\n').find((line) => line.startsWith('May import:'));
  const readmeImports = [...(readmeLine ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const dependencies = Object.keys(pkg.dependencies ?? {}).filter((name) => !IMPLICIT.has(name));
  const sourceImports = new Map<string, string[]>();
  for (const file of shippedSources(join(dir, 'src'))) {
    for (const { fileName } of preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (fileName.startsWith('.') || BUILTINS.has(fileName)) continue;
      const name = packageOf(fileName);
      if (name === self) continue;
      sourceImports.set(name, [...(sourceImports.get(name) ?? []), file.slice(ROOT.length + 1)]);
    }
  }
  return { name: project, readmeLine, readmeImports, dependencies, sourceImports };
}

const projects = ['libs', 'apps'].flatMap((folder) =>
  readdirSync(join(ROOT, folder))
    .filter((entry) => statSync(join(ROOT, folder, entry, 'package.json'), { throwIfNoEntry: false })?.isFile())
    .map((entry) => `${folder}/${entry}`),
);
const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

describe('project manifests: README "May import" = package.json dependencies = shipped imports', () => {
  it('finds the libs and the apps', () => {
    expect(projects.filter((project) => project.startsWith('libs/')).length).toBeGreaterThanOrEqual(10);
    expect(projects.filter((project) => project.startsWith('apps/')).length).toBeGreaterThanOrEqual(3);
  });

  describe.each(projects)('%s', (project) => {
    const manifest = readManifest(project);

    it('has one "May import:" line at the start of a README line', () => {
      expect(manifest.readmeLine).toBeDefined();
    });

    it('lists in its README exactly the dependencies of its package.json', () => {
      expect(sorted(manifest.readmeImports)).toEqual(sorted(manifest.dependencies));
    });

    it('imports nothing its package.json does not declare', () => {
      const undeclared = [...manifest.sourceImports].filter(([name]) => !manifest.dependencies.includes(name));
      expect(Object.fromEntries(undeclared)).toEqual({});
    });

    it('declares nothing its shipped sources do not import', () => {
      expect(manifest.dependencies.filter((name) => !manifest.sourceImports.has(name))).toEqual([]);
    });
  });
});
