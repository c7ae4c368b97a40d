import type { AssemblyContext } from '../assemble/assembly-context';
import { OPENAI_FORMAT } from '../openai/openai-format';
import { OPENAI_PRICES } from '../openai/openai.prices';
import { compilePathRules } from '../path-rules';
import type { KeyHeader, ModelSelection, ProviderAdapter, RequestModelSource } from '../provider-adapter';
import { sdkHeaderSet } from '../sdk-headers';
import { AZURE_OPENAI_CHAT_COMPLETIONS, AZURE_OPENAI_PATH_RULES, azurePath } from './azure-openai.routes';

const allowlist = compilePathRules(AZURE_OPENAI_PATH_RULES);
// What the `openai` SDK's AzureOpenAI client sends besides its key: the Stainless telemetry, and OpenAI's
// organization/project/beta headers when set (Azure ignores what it does not use).
const FORWARDED_HEADERS = sdkHeaderSet(['openai-organization', 'openai-project', 'openai-beta']);

/** `api-key: <key>`: where the AzureOpenAI client puts its key (Azure's key authentication). */
const API_KEY_HEADERS: readonly KeyHeader[] = Object.freeze([Object.freeze({ name: 'api-key' })]);

/**
 * The model a request asks for: the body's, where OpenAI's routes read it; on a deployment path, the deployment (the
 * name the tenant gave the model in Azure) when the body names none, or on routes whose body is not read for it. The
 * response's model wins over both when it names one (docs/gateway.md, "Azure OpenAI").
 */
function requestModelSource(method: string, pathSuffix: string, rawQuery: string): RequestModelSource | undefined {
  const { openaiPath, deployment } = azurePath(pathSuffix);
  const source = OPENAI_FORMAT.requestModelSource(method, openaiPath, rawQuery);
  if (deployment === undefined || method !== 'POST') return source;
  if (source === undefined) return { from: 'url', model: deployment };
  return source.from === 'url' ? source : { from: source.from, fallback: deployment };
}

/**
 * Which model a request makes Azure run, for model allowlists: on a deployment path, the deployment (Azure runs the
 * deployment's model whatever the body says), unless OpenAI's rules say the route runs no model; on the v1 paths,
 * OpenAI's rules on the OpenAI path it maps to (the body's `model`, which names a deployment there).
 */
function modelSelection(method: string, pathSuffix: string, rawQuery: string): ModelSelection {
  const { openaiPath, deployment } = azurePath(pathSuffix);
  const selection = OPENAI_FORMAT.modelSelection(method, openaiPath, rawQuery);
  if (deployment === undefined || selection.in === 'none') return selection;
  return { in: 'url', model: deployment };
}

/**
 * The Azure OpenAI adapter: `/azure-openai/openai/v1/*` and `/azure-openai/openai/deployments/{d}/*?api-version=` →
 * `<baseUrl>/openai/…`, path and query unchanged, where `baseUrl` is the tenant's own resource endpoint
 * (`https://<resource>.openai.azure.com`), stored with the org's key (`tenantBaseUrl: 'required'`); the key in
 * `api-key`. Requests and responses are OpenAI's shapes, so every reader is the OpenAI format's, on the OpenAI path
 * the Azure path maps to (`azurePath`); list prices are OpenAI's for the same model.
 */
export const azureOpenAIAdapter: ProviderAdapter = Object.freeze({
  ...OPENAI_FORMAT,
  id: 'azure-openai',
  genAiProviderName: 'azure.ai.openai',
  genAiOperation: (method: string, pathSuffix: string) => OPENAI_FORMAT.genAiOperation(method, azurePath(pathSuffix).openaiPath),
  routePrefix: '/azure-openai',
  pathPrefixes: Object.freeze(['/openai/']),
  rootAliases: Object.freeze([]),
  tenantBaseUrl: 'required' as const,
  // A routed request of the OpenAI format goes to Azure's v1 API, which serves OpenAI's paths under `/openai`.
  formatPathOf: (pathSuffix: string) => azurePath(pathSuffix).openaiPath,
  pathFor: (formatPath: string) => `/openai${formatPath}`,
  probe: Object.freeze({ method: 'POST', pathSuffix: AZURE_OPENAI_CHAT_COMPLETIONS }),
  isAllowedPath: (method: string, pathSuffix: string) => allowlist.allows(method, pathSuffix),
  keyHeaders: API_KEY_HEADERS,
  // Azure keys are bare hex or base62 strings: nothing marks them as Azure's.
  keyPrefixes: Object.freeze([]),
  vaultAuthHeaders: (providerKey: string) => ({ 'api-key': providerKey }),
  forwardedHeaderNames: FORWARDED_HEADERS,
  needsRequestBody: (method: string, pathSuffix: string) => OPENAI_FORMAT.needsRequestBody(method, azurePath(pathSuffix).openaiPath),
  prepareRequest: (pathSuffix: string, json: unknown, rawBody?: Buffer) =>
    OPENAI_FORMAT.prepareRequest(azurePath(pathSuffix).openaiPath, json, rawBody),
  requestModelSource,
  modelSelection,
  reportsUsage: (method: string, pathSuffix: string) => OPENAI_FORMAT.reportsUsage(method, azurePath(pathSuffix).openaiPath),
  usageFromJson: (pathSuffix: string, json: unknown) => OPENAI_FORMAT.usageFromJson(azurePath(pathSuffix).openaiPath, json),
  createStreamAssembly: (context: AssemblyContext) => OPENAI_FORMAT.createStreamAssembly(context),
  // Azure's list prices equal OpenAI's for the same model; a model OpenAI does not price is `unknown`.
  prices: OPENAI_PRICES,
  // No `sdkEnvironment`: the AzureOpenAI client reads OPENAI_BASE_URL before AZURE_OPENAI_ENDPOINT, so the variables
  // `navplane shell-init` sets for the OpenAI SDK would win anyway; clients pass `endpoint` (docs/gateway.md).
});
