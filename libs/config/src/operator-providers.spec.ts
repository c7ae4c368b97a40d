import { expect } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigProblems } from './config-problems';
import { describeConfig } from './describe-config';
import { loadConfig } from './load-config';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'navplane-providers-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** loadConfig with a config file holding `content` (YAML or JSON by `name`). */
function load(name: string, content: string) {
  const path = join(dir, name);
  writeFileSync(path, content);
  return loadConfig({ NAVPLANE_CONFIG: path });
}

/** The problem lines of a config file that must not load. */
function problemLines(name: string, content: string): string[] {
  const loaded = load(name, content);
  if (loaded.ok) throw new Error('expected problems');
  return formatConfigProblems(loaded.error);
}

describe('providers (config file only)', () => {
  it('is an empty list by default', () => {
    const loaded = loadConfig({});
    expect(loaded.ok && loaded.value.providers).toEqual([]);
  });

  it('reads operator-defined providers from YAML and JSON, normalising the base URL', () => {
    const yaml = load(
      'providers.yaml',
      [
        'providers:',
        '  - { id: vllm, baseUrl: "http://127.0.0.1:8000/", auth: bearer }',
        "  - { id: groq-like, baseUrl: https://api.groq.com/openai, auth: 'header:x-api-key' }",
      ].join('\n'),
    );
    expect(yaml.ok && yaml.value.providers).toEqual([
      { id: 'vllm', baseUrl: 'http://127.0.0.1:8000', auth: 'bearer' },
      { id: 'groq-like', baseUrl: 'https://api.groq.com/openai', auth: 'header:x-api-key' },
    ]);
    expect(yaml.ok && yaml.value.sources.providers).toBe('file');
    const json = load(
      'providers.json',
      JSON.stringify({ providers: [{ id: 'ollama', baseUrl: 'http://localhost:11434', auth: 'bearer' }] }),
    );
    expect(json.ok && json.value.providers).toEqual([{ id: 'ollama', baseUrl: 'http://localhost:11434', auth: 'bearer' }]);
  });

  it('shows them in the config view under their file key', () => {
    const loaded = load('view.yaml', 'providers:\n  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }\n');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
    expect(describeConfig(loaded.value).find((row) => row.fileKey === 'providers')).toEqual({
      variable: 'providers',
      fileKey: 'providers',
      value: [{ id: 'vllm', baseUrl: 'http://127.0.0.1:8000', auth: 'bearer' }],
      source: 'file',
    });
  });

  it('reports each bad entry as one clear line: duplicate id, bad auth, a built-in id', () => {
    const lines = problemLines(
      'bad.yaml',
      [
        'providers:',
        '  - { id: vllm, baseUrl: "http://127.0.0.1:8000", auth: bearer }',
        '  - { id: vllm, baseUrl: "http://127.0.0.1:8001", auth: bearer }',
        '  - { id: groq, baseUrl: "https://api.groq.com/openai", auth: basic }',
        '  - { id: openai, baseUrl: "https://proxy.example.com", auth: bearer }',
      ].join('\n'),
    );
    expect(lines).toEqual([
      'NAVPLANE_CONFIG: providers[1].id "vllm" is already the id of providers[0]',
      'NAVPLANE_CONFIG: providers[2].auth must be "bearer" or "header:<header name>" such as header:x-api-key',
      'NAVPLANE_CONFIG: providers[3].id "openai" is a built-in provider; choose another id',
    ]);
  });

  it.each([
    ['an id that is no slug', '{ id: "My LLM", baseUrl: "http://h:1", auth: bearer }', 'providers[0].id must be a lower-case slug'],
    ['a gateway path as id', '{ id: v1, baseUrl: "http://h:1", auth: bearer }', 'providers[0].id "v1" is a gateway path'],
    ['admin as id', '{ id: admin, baseUrl: "http://h:1", auth: bearer }', 'providers[0].id "admin" is a gateway path'],
    [
      'a base URL with /v1',
      '{ id: x, baseUrl: "https://api.example.com/v1", auth: bearer }',
      'providers[0].baseUrl must name the upstream without /v1',
    ],
    [
      'a base URL that is no URL',
      '{ id: x, baseUrl: "ftp://h", auth: bearer }',
      'providers[0].baseUrl must be an absolute http:// or https:// URL',
    ],
    [
      'the id azure-openai, reserved by the contract',
      '{ id: azure-openai, baseUrl: "https://h", auth: bearer }',
      'providers[0].id "azure-openai" is a built-in provider',
    ],
    [
      'a header that frames the request',
      '{ id: x, baseUrl: "http://h:1", auth: "header:host" }',
      'providers[0].auth must be "bearer" or "header:',
    ],
    [
      'a NavPlane header',
      '{ id: x, baseUrl: "http://h:1", auth: "header:x-navplane-key" }',
      'providers[0].auth must be "bearer" or "header:',
    ],
    ['a missing auth', '{ id: x, baseUrl: "http://h:1" }', 'providers[0].auth must be'],
    ['an unknown key', '{ id: x, baseUrl: "http://h:1", auth: bearer, prices: 1 }', 'providers[0] has an unknown key "prices"'],
  ])('refuses %s', (_name, entry, message) => {
    const lines = problemLines('one.yaml', `providers:\n  - ${entry}\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`NAVPLANE_CONFIG: ${message}`);
  });

  it('keeps a header name in lower case, as HTTP compares them', () => {
    const loaded = load(
      'case.yaml',
      'providers:\n  - { id: groq-like, baseUrl: "https://api.groq.com/openai", auth: "header:X-Api-Key" }\n',
    );
    expect(loaded.ok && loaded.value.providers).toEqual([
      { id: 'groq-like', baseUrl: 'https://api.groq.com/openai', auth: 'header:x-api-key' },
    ]);
  });

  it('refuses a value that is not a list', () => {
    expect(problemLines('scalar.yaml', 'providers: vllm\n')).toEqual([
      'NAVPLANE_CONFIG: providers must be a list of { id, baseUrl, auth } entries',
    ]);
  });
});
