import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { BUILT_IN_BASE_URL_SETTINGS, BUILT_IN_TENANT_ENDPOINT_PROVIDERS } from '@navplane/config';
import { BUILT_IN_ADAPTERS, BUILT_IN_PROVIDER_IDS } from '@navplane/providers';
import {
  createSourceFile,
  forEachChild,
  isNoSubstitutionTemplateLiteral,
  isPropertyAssignment,
  isStringLiteral,
  ScriptTarget,
  type Node,
} from 'typescript';

// Provider knowledge lives in libs/providers (one folder per provider, the registry lists them; libs/testing holds
// their fixtures). Anywhere else a provider id written as a string — `provider === 'openai'`, `case 'anthropic'`,
// `as 'openai'`, a hard-coded list — is a place a new provider would have to be added by hand. This holds the
// shipped sources of every other lib and app to none (tests and their fixtures may name providers).
const ROOT = resolve(__dirname, '../../..');
const ALLOWED_PROJECTS = new Set(['libs/providers', 'libs/testing']);

function shippedSources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return shippedSources(path);
    return entry.endsWith('.ts') && !entry.endsWith('.spec.ts') && !entry.endsWith('.fixture.ts') && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

const projects = ['libs', 'apps'].flatMap((folder) =>
  readdirSync(join(ROOT, folder))
    .map((entry) => `${folder}/${entry}`)
    .filter((project) => statSync(join(ROOT, project, 'src'), { throwIfNoEntry: false })?.isDirectory()),
);

/**
 * `file:line "literal"` for every string literal in `text` that is exactly one of `ids`. A property name is a key of a
 * table, quoted (`{ 'azure-openai': … }`) or not (`{ openai: … }`), and is not reported: the tables libs/config keeps
 * by provider id are checked against the registry below.
 */
function isPropertyName(node: Node): boolean {
  const parent = node.parent as Node | undefined;
  return parent !== undefined && isPropertyAssignment(parent) && parent.name === node;
}

function providerIdLiterals(file: string, text: string, ids: ReadonlySet<string>): string[] {
  const source = createSourceFile(file, text, ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: Node): void => {
    if ((isStringLiteral(node) || isNoSubstitutionTemplateLiteral(node)) && ids.has(node.text) && !isPropertyName(node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${file}:${line + 1} ${node.getText(source)}`);
    }
    forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('provider ids are named only in libs/providers (and libs/testing)', () => {
  const ids = new Set(BUILT_IN_PROVIDER_IDS);

  it('knows the providers of the registry', () => {
    expect(ids.size).toBeGreaterThanOrEqual(2);
  });

  it('finds a provider id however it is quoted, and nothing else', () => {
    const text = [
      "if (provider === 'openai') f();",
      'switch (p) { case "anthropic": break; }',
      'const t = `openai`;',
      "const url = 'https://api.openai.com'; const key = 'openaiBaseUrl'; const obj = { openai: 1, 'anthropic': 2 };",
      "const lookup = table['openai'];",
      '// a comment naming openai',
    ].join('\n');
    expect(providerIdLiterals('x.ts', text, new Set(['openai', 'anthropic']))).toEqual([
      "x.ts:1 'openai'",
      'x.ts:2 "anthropic"',
      'x.ts:3 `openai`',
      "x.ts:5 'openai'",
    ]);
  });

  it("has a base URL setting for every built-in provider, and the config file's providers may take no built-in id", () => {
    // libs/config knows the built-in providers only by their base URL settings (providerRegistrySettings), or as
    // providers whose endpoint is the tenant's (no setting: the base URL is stored with the org's key).
    const tenantEndpoint = BUILT_IN_ADAPTERS.filter((adapter) => adapter.tenantBaseUrl === 'required').map((adapter) => adapter.id);
    expect(Object.keys(BUILT_IN_TENANT_ENDPOINT_PROVIDERS).sort()).toEqual(tenantEndpoint.sort());
    expect(Object.keys(BUILT_IN_BASE_URL_SETTINGS).sort()).toEqual(
      BUILT_IN_PROVIDER_IDS.filter((id) => !tenantEndpoint.includes(id)).sort(),
    );
  });

  it.each(projects.filter((project) => !ALLOWED_PROJECTS.has(project)))('%s names no provider id in its shipped sources', (project) => {
    const found = shippedSources(join(ROOT, project, 'src')).flatMap((file) =>
      providerIdLiterals(relative(ROOT, file), readFileSync(file, 'utf8'), ids),
    );
    expect(found).toEqual([]);
  });
});
