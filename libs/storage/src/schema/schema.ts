import type { ColumnType, Generated } from 'kysely';

// The Kysely view of the schema the migrations create: column names exactly as in SQL (snake_case).
// Repositories map these rows to the camelCase domain types. Conventions (docs/storage.md):
// timestamps are ISO-8601 UTC text, booleans integer 0/1, JSON columns jsonb (Postgres) / text (SQLite).

/** ISO-8601 UTC timestamp text, e.g. `2026-11-23T10:00:00.000Z`. */
export type IsoTimestamp = string;

/** A JSON column: reads as whatever the driver returns (decode with `capabilities.json`), writes JSON text. */
export type JsonColumn = ColumnType<unknown, string, string>;

/** A boolean column stored as integer 0/1 (decode with `capabilities.boolean`). */
export type BooleanColumn = number;

/** `orgs`: tenants; `enabled` is the kill switch. */
export interface OrgsTable {
  id: string;
  name: string;
  enabled: BooleanColumn;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

/** `workspaces`: optional grouping of keys and traces inside an org. */
export interface WorkspacesTable {
  id: string;
  org_id: string;
  name: string;
  created_at: IsoTimestamp;
}

/** `gateway_keys`: NavPlane `np_…` keys, stored only as a hash of their secret part. */
export interface GatewayKeysTable {
  id: string;
  org_id: string;
  workspace_id: string | null;
  name: string;
  public_id: string;
  secret_hash: string;
  display_prefix: string;
  scopes: JsonColumn;
  created_at: IsoTimestamp;
  expires_at: IsoTimestamp | null;
  revoked_at: IsoTimestamp | null;
  last_used_at: IsoTimestamp | null;
  rotated_from_id: string | null;
  grace_ends_at: IsoTimestamp | null;
  /** The model allowlist: a JSON array of names, or null (any model). */
  models: ColumnType<unknown, string | null | undefined, string | null>;
}

/** `provider_keys`: envelope-encrypted provider keys, one per org, provider and name (base64 text fields). */
export interface ProviderKeysTable {
  id: string;
  org_id: string;
  provider: string;
  /** The key's name within its org and provider (`default` unless named; routes pick keys by name). */
  name: string;
  ciphertext: string;
  iv: string;
  auth_tag: string;
  wrapped_dek: string;
  dek_iv: string;
  dek_auth_tag: string;
  kek_version: number;
  last4: string;
  created_at: IsoTimestamp;
  rotated_at: IsoTimestamp | null;
  /** The tenant's own endpoint for providers whose upstream is the tenant's (Azure OpenAI); null otherwise. */
  base_url: string | null;
}

/** `admin_tokens`: platform-admin tokens created by the CLI, stored argon2id-hashed. */
export interface AdminTokensTable {
  id: string;
  name: string;
  token_hash: string;
  display_prefix: string;
  created_at: IsoTimestamp;
  revoked_at: IsoTimestamp | null;
  last_used_at: IsoTimestamp | null;
}

/** `policies`: redaction/guardrail policies, one per (org, scope_type, scope_value). */
export interface PoliciesTable {
  id: string;
  org_id: string;
  scope_type: string;
  scope_value: string | null;
  mode: string;
  config: JsonColumn;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

/** `routes`: the org's routing table, one row per org holding the whole validated document (docs/routing.md). */
export interface RoutesTable {
  org_id: string;
  document: JsonColumn;
  updated_at: IsoTimestamp;
}

/** `limits`: the org's limits (rate limits, budgets, spend alerts), one row per org holding the whole validated document (docs/limits.md). */
export interface LimitsTable {
  org_id: string;
  document: JsonColumn;
  updated_at: IsoTimestamp;
}

/** `budget_spend`: the settled spend of one budget scope in one period (docs/limits.md, "Budgets"). */
export interface BudgetSpendTable {
  org_id: string;
  /** `org`, `workspace:ws_…` or `key:key_…`. */
  scope_key: string;
  /** `day` or `month`. */
  period: string;
  /** `YYYY-MM-DD` (UTC): the day, or the first day of the month. */
  period_start: string;
  spent_usd: number;
  unpriced_requests: number;
  updated_at: IsoTimestamp;
}

/** `budget_alerts`: one row per spend alert claimed, unique per threshold and period (docs/limits.md, "Spend alerts"). */
export interface BudgetAlertsTable {
  org_id: string;
  scope_key: string;
  period: string;
  period_start: string;
  threshold: number;
  spent_usd: number;
  budget_usd: number;
  /** `sending`, `sent` or `failed`. */
  status: string;
  attempts: number;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

/** `traces`: one row per proxied request. */
export interface TracesTable {
  id: string;
  org_id: string;
  workspace_id: string | null;
  key_id: string | null;
  provider: string;
  model: string | null;
  route: string;
  method: string;
  status: number;
  request_id: string;
  started_at: IsoTimestamp;
  latency_ms: number;
  ttfb_ms: number | null;
  overhead_ms: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  cost_usd: number | null;
  cost_status: string;
  error_class: string | null;
  upstream_failure: string | null;
  trace_group: string | null;
  thread_id: string | null;
  run_id: string | null;
  parent_trace_id: string | null;
  policy_decisions: ColumnType<unknown, string | null, string | null>;
  /** The org's route that served the request (docs/routing.md); null when it went to its provider as is. */
  route_name: string | null;
  /** A routed request's upstream attempts (JSON array); null when not routed. */
  attempts: ColumnType<unknown, string | null, string | null>;
  /** The OpenTelemetry trace id of the request when OpenTelemetry is on (docs/observability.md); else null. */
  otel_trace_id: string | null;
  /** The request's tags (`X-NavPlane-Tags`) as a JSON array; null when it has none (docs/traces.md, "Tags"). */
  tags: ColumnType<unknown, string | null | undefined, string | null>;
  request_body: string | null;
  response_body: string | null;
  stream: BooleanColumn;
}

/** `batch_usage`: the usage of one Batch API result, recorded once per (org, provider, source_id, custom_id). */
export interface BatchUsageTable {
  org_id: string;
  provider: string;
  /** The batch id (Anthropic) or the output file id (OpenAI) the result was read from. */
  source_id: string;
  custom_id: string;
  /** The trace of the fetch that first recorded it. */
  trace_id: string;
  workspace_id: string | null;
  key_id: string | null;
  model: string | null;
  /** When the fetch that first recorded it started: the time the result is reported and priced at. */
  fetched_at: IsoTimestamp;
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  cost_status: string;
}

/** `trace_tags`: one row per tag of a trace, for usage grouped by tag; deleted with its trace (ON DELETE CASCADE). */
export interface TraceTagsTable {
  trace_id: string;
  tag: string;
}

/** `trace_forks`: a new run continuing from a stored checkpoint trace (trace rows are never changed). */
export interface TraceForksTable {
  id: string;
  org_id: string;
  source_trace_id: string;
  new_run_id: string;
  created_at: IsoTimestamp;
  created_by: string;
}

/** `audit_log`: append-only record of every mutation (who, what, when; never secrets). */
export interface AuditLogTable {
  id: string;
  at: IsoTimestamp;
  actor_type: string;
  actor_id: string | null;
  org_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: ColumnType<unknown, string | null, string | null>;
}

/** `change_events`: the SQLite change feed's log (id = the version the pollers compare). */
export interface ChangeEventsTable {
  id: Generated<number>;
  topic: string;
  payload: string;
  origin: string;
  created_at: IsoTimestamp;
}

/** The whole schema, as Kysely sees it. */
export interface DB {
  orgs: OrgsTable;
  workspaces: WorkspacesTable;
  gateway_keys: GatewayKeysTable;
  provider_keys: ProviderKeysTable;
  admin_tokens: AdminTokensTable;
  policies: PoliciesTable;
  routes: RoutesTable;
  limits: LimitsTable;
  budget_spend: BudgetSpendTable;
  budget_alerts: BudgetAlertsTable;
  traces: TracesTable;
  batch_usage: BatchUsageTable;
  trace_tags: TraceTagsTable;
  trace_forks: TraceForksTable;
  audit_log: AuditLogTable;
  change_events: ChangeEventsTable;
}
