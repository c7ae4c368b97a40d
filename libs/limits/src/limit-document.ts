import { z } from 'zod';

/**
 * The org's limits (docs/limits.md, CONTRACT §10): `PUT /admin/orgs/:orgId/limits` replaces the document whole, `GET`
 * returns it, `navplane limits show|set` reads and writes the same document.
 *
 * ```json
 * { "limits": [ {
 *     "scope": { "type": "key", "id": "key_…" },
 *     "rpm": 600, "tpm": 200000, "concurrency": 20,
 *     "budget": { "usd": 50, "period": "month" },
 *     "alerts": { "thresholds": [0.5, 0.8, 1.0], "webhookUrl": "https://…" }
 * } ] }
 * ```
 *
 * Every entry whose scope covers a request applies (the org's, the key's workspace's, the key's): the request must
 * pass all of them.
 */

/** The scope types: the whole org, one workspace of it, one NavPlane key of it. */
export const LIMIT_SCOPE_TYPES = ['org', 'workspace', 'key'] as const;
export type LimitScopeType = (typeof LIMIT_SCOPE_TYPES)[number];

/** Budget periods: the UTC day, the UTC calendar month. */
export const BUDGET_PERIODS = ['day', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** Bounds that keep a document small and its numbers sane. */
export const LIMIT_BOUNDS = Object.freeze({
  entries: 1000,
  rpm: 10_000_000,
  tpm: 10_000_000_000,
  concurrency: 100_000,
  budgetUsd: 100_000_000,
  thresholds: 10,
  /** A threshold is a fraction of the budget: above 0, up to 10 (1000 %, to warn of a runaway past the budget). */
  maxThreshold: 10,
  urlLength: 2048,
  idLength: 64,
});

const ID_PATTERN = /^[a-z]{2,4}_[0-9a-z]{10,40}$/;

const scopeId = (prefix: string) =>
  z
    .string()
    .max(LIMIT_BOUNDS.idLength)
    .regex(ID_PATTERN, 'must be a NavPlane id')
    .refine((value) => value.startsWith(`${prefix}_`), { message: `must be a ${prefix}_… id` });

const scope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('org'), id: scopeId('org').optional() }).strict(),
  z.object({ type: z.literal('workspace'), id: scopeId('ws') }).strict(),
  z.object({ type: z.literal('key'), id: scopeId('key') }).strict(),
]);

const budget = z
  .object({
    usd: z.number().positive().max(LIMIT_BOUNDS.budgetUsd),
    period: z.enum(BUDGET_PERIODS),
  })
  .strict();

const webhookUrl = z
  .string()
  .max(LIMIT_BOUNDS.urlLength)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
      } catch {
        return false;
      }
    },
    { message: 'must be an absolute http(s) URL without credentials' },
  );

const alerts = z
  .object({
    thresholds: z
      .array(z.number().positive().max(LIMIT_BOUNDS.maxThreshold))
      .min(1)
      .max(LIMIT_BOUNDS.thresholds)
      .refine((list) => new Set(list).size === list.length, { message: 'lists a threshold twice' }),
    webhookUrl,
  })
  .strict();

const entry = z
  .object({
    scope,
    rpm: z.number().int().positive().max(LIMIT_BOUNDS.rpm).optional(),
    tpm: z.number().int().positive().max(LIMIT_BOUNDS.tpm).optional(),
    concurrency: z.number().int().positive().max(LIMIT_BOUNDS.concurrency).optional(),
    budget: budget.optional(),
    alerts: alerts.optional(),
  })
  .strict();

/** The zod schema of the document as clients send it. */
export const LIMIT_DOCUMENT_SCHEMA = z.object({ limits: z.array(entry).max(LIMIT_BOUNDS.entries) }).strict();

/** A parsed limits document: thresholds sorted ascending. */
export type LimitDocument = z.output<typeof LIMIT_DOCUMENT_SCHEMA>;
export type LimitEntry = LimitDocument['limits'][number];
export type LimitScope = LimitEntry['scope'];
export type Budget = NonNullable<LimitEntry['budget']>;
export type BudgetAlerts = NonNullable<LimitEntry['alerts']>;

/** What validation needs to know about the org: whether a workspace or key id is one of its own. */
export interface LimitOwnership {
  /** The org the document belongs to (an `org` scope's `id`, when given, must be it). */
  readonly orgId: string;
  /** True when the workspace belongs to the org. Absent: workspace ids are not checked. */
  hasWorkspace?(workspaceId: string): boolean;
  /** True when the NavPlane key belongs to the org (revoked keys included). Absent: key ids are not checked. */
  hasKey?(keyId: string): boolean;
}

/** One problem of a document, where it is (`limits[2].scope.id`) and what is wrong. */
export interface LimitProblem {
  readonly path: string;
  readonly message: string;
}

/** The canonical text of a scope (`org`, `workspace:ws_…`, `key:key_…`): unique per org, used in counter keys. */
export function scopeKey(scope: LimitScope): string {
  return scope.type === 'org' ? 'org' : `${scope.type}:${scope.id}`;
}

/**
 * Parses and validates a whole limits document: the schema, then what the schema cannot see — one entry per scope,
 * each entry limiting something, alerts only beside a budget, and (with `ownership`) every workspace and key one of
 * the org's. Every problem is reported with its path, so a 400 says which entry. An `org` scope's `id` is dropped
 * once checked (the document is the org's).
 */
export function parseLimitDocument(
  raw: unknown,
  ownership: LimitOwnership,
): { ok: true; value: LimitDocument } | { ok: false; problems: LimitProblem[] } {
  const parsed = LIMIT_DOCUMENT_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    };
  }
  const problems: LimitProblem[] = [];
  const seen = new Map<string, number>();
  parsed.data.limits.forEach((item, i) => {
    const key = scopeKey(item.scope);
    const first = seen.get(key);
    if (first !== undefined) problems.push({ path: `limits[${i}].scope`, message: `limits[${first}] has the same scope` });
    else seen.set(key, i);
    if (item.scope.type === 'org' && item.scope.id !== undefined && item.scope.id !== ownership.orgId) {
      problems.push({ path: `limits[${i}].scope.id`, message: `is not this org's id (${ownership.orgId})` });
    }
    if (item.scope.type === 'workspace' && ownership.hasWorkspace !== undefined && !ownership.hasWorkspace(item.scope.id)) {
      problems.push({ path: `limits[${i}].scope.id`, message: `no workspace "${item.scope.id}" in this org` });
    }
    if (item.scope.type === 'key' && ownership.hasKey !== undefined && !ownership.hasKey(item.scope.id)) {
      problems.push({ path: `limits[${i}].scope.id`, message: `no NavPlane key "${item.scope.id}" in this org` });
    }
    if (item.rpm === undefined && item.tpm === undefined && item.concurrency === undefined && item.budget === undefined) {
      problems.push({ path: `limits[${i}]`, message: 'limits nothing: set rpm, tpm, concurrency or budget' });
    }
    if (item.alerts !== undefined && item.budget === undefined) {
      problems.push({ path: `limits[${i}].alerts`, message: 'alerts are thresholds of a budget: set budget too' });
    }
  });
  return problems.length === 0 ? { ok: true, value: normalize(parsed.data) } : { ok: false, problems };
}

/** Drops an org scope's id and sorts thresholds, so equal documents are stored and shown alike. */
function normalize(document: LimitDocument): LimitDocument {
  return {
    limits: document.limits.map((item) => {
      const out: LimitEntry = { ...item, scope: item.scope.type === 'org' ? { type: 'org' } : item.scope };
      if (item.alerts !== undefined) out.alerts = { ...item.alerts, thresholds: [...item.alerts.thresholds].sort((a, b) => a - b) };
      return out;
    }),
  };
}

/**
 * A stored document read back (`limits.document`): the schema only, since it was validated whole when it was put.
 * Throws an Error naming every problem for a document the schema no longer accepts (only a hand-edited row can be).
 */
export function readStoredLimitDocument(stored: unknown): LimitDocument {
  const parsed = LIMIT_DOCUMENT_SCHEMA.safeParse(stored);
  if (parsed.success) return normalize(parsed.data);
  const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ');
  throw new Error(`the stored limits document is not valid: ${problems}`);
}

/** The problems of a refused document as one line: `limits[1].scope.id: no NavPlane key "key_…" in this org; …`. */
export function describeLimitProblems(problems: readonly LimitProblem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
}

/** Who a request is: its org, the key's workspace (if any), the key. */
export interface LimitSubject {
  readonly orgId: string;
  readonly workspaceId: string | null;
  readonly keyId: string;
}

/** An entry that applies to a request, with its canonical scope key. */
export interface ApplicableLimit {
  readonly scopeKey: string;
  readonly entry: LimitEntry;
}

const applicableIndex = new WeakMap<LimitDocument, ReadonlyMap<string, ApplicableLimit>>();

/**
 * The entries of `document` that cover `subject`, broadest first (org, workspace, key). The document's index is built
 * on its first lookup and kept as long as the document is (documents are immutable once parsed): three Map reads.
 */
export function limitsFor(document: LimitDocument, subject: LimitSubject): ApplicableLimit[] {
  if (document.limits.length === 0) return [];
  let index = applicableIndex.get(document);
  if (index === undefined) {
    index = new Map(document.limits.map((item) => [scopeKey(item.scope), { scopeKey: scopeKey(item.scope), entry: item }]));
    applicableIndex.set(document, index);
  }
  const out: ApplicableLimit[] = [];
  const org = index.get('org');
  if (org !== undefined) out.push(org);
  if (subject.workspaceId !== null) {
    const workspace = index.get(`workspace:${subject.workspaceId}`);
    if (workspace !== undefined) out.push(workspace);
  }
  const key = index.get(`key:${subject.keyId}`);
  if (key !== undefined) out.push(key);
  return out;
}

/** Where an org's limits come from: memory first (no query on a warm request), the database on a miss. */
export interface LimitSource {
  /** The org's document from memory (`{ limits: [] }` when it has none), or undefined when not held. */
  peek(orgId: string): LimitDocument | undefined;
  /** The org's document: from memory when held, else read now and held. */
  get(orgId: string): Promise<LimitDocument>;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  return out === '' ? '(document)' : out;
}
