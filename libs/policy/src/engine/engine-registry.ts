import type { Redactor } from '../redactor';
import type { RedactionEngine } from './redaction-engine';

const engines = new WeakMap<Redactor, RedactionEngine>();

/** Records the engine behind a redactor built by createRedactor. */
export function registerEngine(redactor: Redactor, engine: RedactionEngine): void {
  engines.set(redactor, engine);
}

/** The engine behind a redactor made by createRedactor (JSON and stream redaction need its spans). */
export function engineOf(redactor: Redactor): RedactionEngine {
  const engine = engines.get(redactor);
  if (engine === undefined) throw new TypeError('redactor must come from createRedactor');
  return engine;
}
