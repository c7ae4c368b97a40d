import { compilePathRules, type PathAllowlist } from '../path-rules';
import type { ModelSelection } from '../provider-adapter';

/** The request runs no model the client chooses. */
export const SELECTS_NO_MODEL: ModelSelection = Object.freeze({ in: 'none' });
/** The body names the model that runs. */
export const MODEL_IN_BODY: ModelSelection = Object.freeze({ in: 'body', optional: false });
/** The body may name a model (token counting): checked when it does. */
export const MODEL_IN_BODY_IF_NAMED: ModelSelection = Object.freeze({ in: 'body', optional: true });
/** A model runs that the request does not name where the gateway can read it. */
export const MODEL_UNREADABLE: ModelSelection = Object.freeze({ in: 'unreadable' });

/** Where an API's POST routes name their model, as path patterns (`compilePathRules` syntax). */
export interface ModelSelectionRules {
  /** POST routes that run no model the client chooses. */
  readonly none: readonly string[];
  /** POST routes that run the model their body names. */
  readonly body: readonly string[];
  /** POST routes whose body may name a model (checked when it does; nothing runs otherwise). */
  readonly bodyIfNamed?: readonly string[];
}

/**
 * `modelSelection` for an API where only POST runs models (OpenAI, Anthropic, Mistral): every other method selects
 * none; a POST matches `none`, then `bodyIfNamed`, then `body`, and is `unreadable` when it matches none of them, so a
 * route nobody classified fails closed for a key with an allowlist.
 */
export function postModelSelection(rules: ModelSelectionRules): (method: string, pathSuffix: string) => ModelSelection {
  const compile = (paths: readonly string[]): PathAllowlist => compilePathRules(paths.map((path) => ({ methods: ['POST'], path })));
  const none = compile(rules.none);
  const bodyIfNamed = compile(rules.bodyIfNamed ?? []);
  const body = compile(rules.body);
  return function modelSelection(method, pathSuffix) {
    if (method !== 'POST') return SELECTS_NO_MODEL;
    if (none.allows(method, pathSuffix)) return SELECTS_NO_MODEL;
    if (bodyIfNamed.allows(method, pathSuffix)) return MODEL_IN_BODY_IF_NAMED;
    if (body.allows(method, pathSuffix)) return MODEL_IN_BODY;
    return MODEL_UNREADABLE;
  };
}
