// ESLint flat config for the whole repo. `@nx/enforce-module-boundaries` carries the layer table of
// docs/ARCHITECTURE.md: a forbidden import (storage importing express, a domain lib importing
// another domain lib, production code importing @navplane/testing) fails `npm run lint`.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const HTTP_FRAMEWORKS = ['express', 'http-proxy-middleware', 'supertest'];

/** The layer table. Every constraint whose source tag a project carries applies (intersection). */
function layerConstraints({ allowTesting }) {
  const testing = allowTesting ? ['type:testing'] : [];
  return [
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: ['type:runtime', 'type:domain', 'type:data', 'type:adapter', 'type:util', ...testing],
    },
    {
      // The process runtime composes libraries; it knows no app.
      sourceTag: 'type:runtime',
      onlyDependOnLibsWithTags: ['type:domain', 'type:data', 'type:adapter', 'type:util', ...testing],
      bannedExternalImports: ['http-proxy-middleware'],
    },
    {
      // vault, auth, policy, trace: storage, core, config types; never another domain lib.
      sourceTag: 'type:domain',
      onlyDependOnLibsWithTags: ['type:data', 'type:util', 'lib:providers', ...testing],
      bannedExternalImports: HTTP_FRAMEWORKS,
    },
    {
      // Only policy and trace may read the provider catalogue.
      sourceTag: 'domain:no-providers',
      notDependOnLibsWithTags: ['lib:providers'],
    },
    {
      sourceTag: 'type:data',
      onlyDependOnLibsWithTags: ['lib:core', ...testing],
      bannedExternalImports: HTTP_FRAMEWORKS,
    },
    {
      sourceTag: 'type:adapter',
      onlyDependOnLibsWithTags: ['lib:core', ...testing],
    },
    {
      // providers are pure functions: no HTTP framework.
      sourceTag: 'lib:providers',
      bannedExternalImports: HTTP_FRAMEWORKS,
    },
    {
      sourceTag: 'type:util',
      onlyDependOnLibsWithTags: ['lib:core', ...testing],
      bannedExternalImports: HTTP_FRAMEWORKS,
    },
    {
      // Benchmarks and workspace checks measure the whole product: they may import any library.
      sourceTag: 'type:tooling',
      onlyDependOnLibsWithTags: ['*'],
    },
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:runtime', 'type:domain', 'type:data', 'type:adapter', 'type:util', 'type:testing'],
    },
  ];
}

const boundaries = (allowTesting) => ({
  '@nx/enforce-module-boundaries': [
    'error',
    {
      enforceBuildableLibDependency: true,
      // Apps may not import apps, except that the CLI composes both servers for `navplane serve`; the
      // servers themselves are kept apart by the no-restricted-imports block below.
      allow: ['@navplane/gateway', '@navplane/admin-api'],
      depConstraints: layerConstraints({ allowTesting }),
    },
  ],
});

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/coverage', '.nx', 'data', 'tmp'],
  },
  // Type-aware rules for TypeScript. The project service finds each file's project through the nearest
  // tsconfig.json (every project's solution-style tsconfig.json references its lib/app and spec configs).
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // Config files and scripts are plain JavaScript outside every tsconfig: no type information, no type-aware rules.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.ts'],
    rules: {
      ...boundaries(false),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports (docs/ARCHITECTURE.md).' }],
    },
  },
  {
    // Only the CLI imports the apps; no library and no other app does.
    files: ['libs/**/*.ts', 'apps/gateway/**/*.ts', 'apps/admin-api/**/*.ts', 'tools/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['@navplane/gateway', '@navplane/admin-api', '@navplane/cli'], message: 'Only apps/cli composes the apps.' }],
        },
      ],
    },
  },
  {
    // Specs and their fixtures (and only they) may import @navplane/testing.
    files: ['**/*.spec.ts', '**/*.fixture.ts'],
    rules: {
      ...boundaries(true),
      // Tests assert shapes right after; a failed `!` fails the test just as clearly.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
];
