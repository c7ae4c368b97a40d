export * from './config-problems';
export * from './config-settings';
export * from './config.schema';
export * from './describe-config';
export * from './load-config';
export { maskDatabaseUrl } from './mask';
export {
  LIMITS_FAIL_MODES,
  LOG_LEVELS,
  MIN_ADMIN_TOKEN_LENGTH,
  parseMasterKey,
  TRACE_SINKS,
  type LimitsFailMode,
  type LogLevel,
  type TraceSinkKind,
  type TrustProxy,
} from './setting-parsers';
export * from './provider-settings';
export * from './operator-providers';
export {
  OTLP_PROTOCOLS,
  otelExportSettings,
  parseKeyValueList,
  type OtelExportSettings,
  type OtlpProtocol,
  type OtlpSignalExport,
} from './otel-settings';
