import { err, ok } from '@navplane/core';
import type { NavPlaneConfig } from './config.schema';
import type { SettingDeclaration } from './config-settings';
import { parseBoolean, parseInteger, type ParseResult } from './setting-parsers';
import { optionalSettingSchema, settingSchema } from './setting-schema';

// OpenTelemetry is configured by the standard OTEL_* variables only (docs/observability.md), read here like every
// other setting so one validation covers them. The OTLP exporters also read, by themselves, the variables NavPlane
// does not decide on (timeouts, compression, TLS certificates), exactly as the OpenTelemetry specification says.

/** The OTLP transports NavPlane exports with (`OTEL_EXPORTER_OTLP_PROTOCOL`); gRPC is not among them. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/** One OTLP transport. */
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Parses an OTLP endpoint: an absolute http(s) URL, kept as given (trimmed). */
export function parseOtlpEndpoint(raw: unknown): ParseResult<string> {
  const expected = 'must be an absolute http:// or https:// URL such as http://127.0.0.1:4318';
  if (typeof raw !== 'string') return err(expected);
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? ok(raw.trim()) : err(expected);
  } catch {
    return err(expected);
  }
}

/** Parses an OTLP protocol: `http/protobuf` or `http/json` (`grpc` is refused by name). */
export function parseOtlpProtocol(raw: unknown): ParseResult<OtlpProtocol> {
  const value = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  if (value === 'grpc') return err('grpc is not supported: use http/protobuf (the default) or http/json');
  const found = OTLP_PROTOCOLS.find((protocol) => protocol === value);
  return found === undefined ? err('must be http/protobuf or http/json') : ok(found);
}

/**
 * Parses the W3C-baggage-like list of the OTEL_* variables (`key1=value1,key2=value2`, values percent-decoded):
 * `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_RESOURCE_ATTRIBUTES`. The message never quotes the input (headers hold tokens).
 */
export function parseKeyValueList(raw: unknown): ParseResult<Readonly<Record<string, string>>> {
  const expected = 'must be comma-separated key=value pairs (values percent-encoded where needed)';
  if (raw === undefined) return ok({});
  if (typeof raw !== 'string') return err(expected);
  const pairs: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) return err(expected);
    const key = entry.slice(0, equals).trim();
    let value: string;
    try {
      value = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      return err(expected);
    }
    if (key === '') return err(expected);
    pairs[key] = value;
  }
  return ok(pairs);
}

const endpoint = (env: string, doc: string) => ({
  env,
  default: undefined,
  schema: optionalSettingSchema(parseOtlpEndpoint),
  doc,
  envOnly: true as const,
});
const protocol = (env: string, doc: string) => ({
  env,
  default: undefined,
  schema: optionalSettingSchema(parseOtlpProtocol),
  doc,
  envOnly: true as const,
});
const headers = (env: string, doc: string) => ({
  env,
  default: undefined,
  schema: settingSchema(parseKeyValueList),
  doc,
  secret: true as const,
  envOnly: true as const,
});
const milliseconds = (env: string, def: string, max: number, doc: string) => ({
  env,
  default: def,
  schema: settingSchema((raw) => parseInteger(raw, 1, max, 'milliseconds')),
  doc,
  envOnly: true as const,
});

/**
 * The OTEL_* settings (docs/observability.md), spread into SETTINGS: read from the environment only, like any
 * OpenTelemetry SDK reads them. Export is on exactly when an OTLP endpoint is set and OTEL_SDK_DISABLED is not true.
 */
export const OTEL_SETTINGS = {
  otelSdkDisabled: {
    env: 'OTEL_SDK_DISABLED',
    default: 'false',
    schema: settingSchema(parseBoolean),
    doc: 'OpenTelemetry: `true` turns export off even with an endpoint set (docs/observability.md).',
    envOnly: true,
  },
  otelEndpoint: endpoint(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'OpenTelemetry: the OTLP/HTTP endpoint of every signal (`/v1/traces` and `/v1/metrics` are appended); setting it (or a signal endpoint below) turns export on (docs/observability.md).',
  ),
  otelTracesEndpoint: endpoint(
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    'OpenTelemetry: the endpoint spans go to, used as is (overrides the one above for traces).',
  ),
  otelMetricsEndpoint: endpoint(
    'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    'OpenTelemetry: the endpoint metrics go to, used as is (overrides the one above for metrics).',
  ),
  otelProtocol: {
    env: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    default: 'http/protobuf',
    schema: settingSchema(parseOtlpProtocol),
    doc: 'OpenTelemetry: the OTLP transport, `http/protobuf` or `http/json` (gRPC is not supported).',
    envOnly: true,
  },
  otelTracesProtocol: protocol(
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    'OpenTelemetry: the transport of spans (default: `OTEL_EXPORTER_OTLP_PROTOCOL`).',
  ),
  otelMetricsProtocol: protocol(
    'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
    'OpenTelemetry: the transport of metrics (default: `OTEL_EXPORTER_OTLP_PROTOCOL`).',
  ),
  otelHeaders: headers(
    'OTEL_EXPORTER_OTLP_HEADERS',
    'OpenTelemetry: headers sent with every export, `key=value,…` (e.g. a collector token; never shown or logged).',
  ),
  otelTracesHeaders: headers(
    'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    'OpenTelemetry: headers of span exports, added to (and overriding) the ones above.',
  ),
  otelMetricsHeaders: headers(
    'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
    'OpenTelemetry: headers of metric exports, added to (and overriding) the ones above.',
  ),
  otelServiceName: {
    env: 'OTEL_SERVICE_NAME',
    default: 'navplane',
    schema: settingSchema((raw) =>
      typeof raw === 'string' && raw.trim() !== '' ? ok(raw.trim()) : err('must be a non-empty service name'),
    ),
    doc: 'OpenTelemetry: the `service.name` resource attribute (wins over one in `OTEL_RESOURCE_ATTRIBUTES`).',
    envOnly: true,
  },
  otelResourceAttributes: {
    env: 'OTEL_RESOURCE_ATTRIBUTES',
    default: undefined,
    schema: settingSchema(parseKeyValueList),
    doc: 'OpenTelemetry: more resource attributes, `key=value,…` (e.g. `deployment.environment.name=prod`).',
    envOnly: true,
  },
  otelBspScheduleDelay: milliseconds(
    'OTEL_BSP_SCHEDULE_DELAY',
    '5000',
    3_600_000,
    'OpenTelemetry: longest a finished span waits before its batch is exported, in ms.',
  ),
  otelBspExportTimeout: milliseconds(
    'OTEL_BSP_EXPORT_TIMEOUT',
    '30000',
    3_600_000,
    'OpenTelemetry: longest one span export may take, in ms.',
  ),
  otelBspMaxQueueSize: {
    env: 'OTEL_BSP_MAX_QUEUE_SIZE',
    default: '2048',
    schema: settingSchema((raw) => parseInteger(raw, 1, 1_000_000)),
    doc: 'OpenTelemetry: most finished spans waiting for export; beyond it spans are dropped (never the request).',
    envOnly: true,
  },
  otelBspMaxExportBatchSize: {
    env: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    default: '512',
    schema: settingSchema((raw) => parseInteger(raw, 1, 1_000_000)),
    doc: 'OpenTelemetry: most spans in one export (at most the queue size).',
    envOnly: true,
  },
  otelMetricExportInterval: milliseconds(
    'OTEL_METRIC_EXPORT_INTERVAL',
    '60000',
    86_400_000,
    'OpenTelemetry: how often metrics are exported, in ms.',
  ),
  otelMetricExportTimeout: milliseconds(
    'OTEL_METRIC_EXPORT_TIMEOUT',
    '30000',
    3_600_000,
    'OpenTelemetry: longest one metric export may take, in ms.',
  ),
} satisfies Record<string, SettingDeclaration>;

/** Where and how one signal is exported. */
export interface OtlpSignalExport {
  /** The full URL exports are POSTed to. */
  readonly url: string;
  readonly protocol: OtlpProtocol;
  /** Extra request headers (secret: never logged). */
  readonly headers: Readonly<Record<string, string>>;
}

/** OpenTelemetry export as the OTEL_* settings ask for it (docs/observability.md). */
export interface OtelExportSettings {
  /** Spans; undefined when no endpoint names them. */
  readonly traces?: OtlpSignalExport;
  /** Metrics; undefined when no endpoint names them. */
  readonly metrics?: OtlpSignalExport;
  /** `service.name` and the other resource attributes. */
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly spanBatch: {
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
  readonly metricExport: { readonly intervalMillis: number; readonly timeoutMillis: number };
}

/** The generic endpoint with a signal's path appended, as the OTLP exporter specification says. */
function signalUrl(generic: string, path: string): string {
  return `${generic.replace(/\/+$/, '')}/${path}`;
}

/**
 * The OpenTelemetry export the configuration asks for, or undefined when it is off (no OTLP endpoint, or
 * OTEL_SDK_DISABLED=true): the apps' one check of whether OpenTelemetry runs at all.
 */
export function otelExportSettings(config: NavPlaneConfig): OtelExportSettings | undefined {
  if (config.otelSdkDisabled) return undefined;
  const signal = (
    specific: string | undefined,
    path: string,
    protocol: OtlpProtocol | undefined,
    own: Readonly<Record<string, string>>,
  ) => {
    const url = specific ?? (config.otelEndpoint === undefined ? undefined : signalUrl(config.otelEndpoint, path));
    if (url === undefined) return undefined;
    return { url, protocol: protocol ?? config.otelProtocol, headers: { ...config.otelHeaders, ...own } };
  };
  const traces = signal(config.otelTracesEndpoint, 'v1/traces', config.otelTracesProtocol, config.otelTracesHeaders);
  const metrics = signal(config.otelMetricsEndpoint, 'v1/metrics', config.otelMetricsProtocol, config.otelMetricsHeaders);
  if (traces === undefined && metrics === undefined) return undefined;
  return {
    ...(traces === undefined ? {} : { traces }),
    ...(metrics === undefined ? {} : { metrics }),
    serviceName: config.otelServiceName,
    resourceAttributes: config.otelResourceAttributes,
    spanBatch: {
      scheduledDelayMillis: config.otelBspScheduleDelay,
      exportTimeoutMillis: config.otelBspExportTimeout,
      maxQueueSize: config.otelBspMaxQueueSize,
      maxExportBatchSize: Math.min(config.otelBspMaxExportBatchSize, config.otelBspMaxQueueSize),
    },
    metricExport: { intervalMillis: config.otelMetricExportInterval, timeoutMillis: config.otelMetricExportTimeout },
  };
}
