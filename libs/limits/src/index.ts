export {
  BUDGET_PERIODS,
  describeLimitProblems,
  LIMIT_BOUNDS,
  LIMIT_DOCUMENT_SCHEMA,
  LIMIT_SCOPE_TYPES,
  limitsFor,
  parseLimitDocument,
  readStoredLimitDocument,
  scopeKey,
  type ApplicableLimit,
  type Budget,
  type BudgetAlerts,
  type BudgetPeriod,
  type LimitDocument,
  type LimitEntry,
  type LimitOwnership,
  type LimitProblem,
  type LimitScope,
  type LimitScopeType,
  type LimitSource,
  type LimitSubject,
} from './limit-document';
export { createLimitStore, EMPTY_LIMIT_DOCUMENT, type LimitStore, type LimitStoreOptions } from './limit-store';
export {
  createBudgetEngine,
  describeScope,
  type ApplicableBudget,
  type BudgetEngine,
  type BudgetEngineOptions,
  type BudgetHold,
  type BudgetReservation,
  type BudgetStatus,
  NOTHING_SPENT,
  type SettledCost,
  type SpendSettled,
} from './budgets/budget-engine';
export { periodWindow, type PeriodWindow } from './budgets/budget-period';
export {
  BYTES_PER_INPUT_TOKEN,
  DEFAULT_RESERVED_OUTPUT_TOKENS,
  estimateReservation,
  FREE_ESTIMATE,
  maxOutputTokensOf,
  type CostEstimateInput,
  type ReservationEstimate,
} from './budgets/estimate-cost';
export {
  createAlertDispatcher,
  type AlertDispatcher,
  type AlertDispatcherOptions,
  type WebhookResult,
  type WebhookSend,
} from './alerts/alert-dispatcher';
export { SIGNATURE_HEADER, signAlert, WEBHOOK_SECRET_NAME, type SpendAlert } from './alerts/alert-payload';
export * from './counters';
