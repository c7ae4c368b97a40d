import type { OpenTelemetry, OpenTelemetryOptions } from './open-telemetry';

export type { ExportFailureListener, OtelSignal } from './export-failures';
export type { GenAiInstruments, OpenTelemetry, OpenTelemetryOptions, OtlpSignalOptions, OtlpTransport } from './open-telemetry';

/**
 * Starts the OpenTelemetry SDK (see `createOpenTelemetry`). The SDK's modules are loaded here, on first use: a process
 * with OpenTelemetry off (no OTLP endpoint) never loads them, and a CLI command does not pay for them.
 */
export function startOpenTelemetry(options: OpenTelemetryOptions): OpenTelemetry {
  // A synchronous require, not import(): the lib is CommonJS, and a dynamic import() under `nodenext` stays an ESM
  // import at run time (extension rules, another loader) for no gain here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./open-telemetry') as typeof import('./open-telemetry');
  return sdk.createOpenTelemetry(options);
}
