import { AppError } from '@navplane/core';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';

/** Prefix of every NavPlane metric, default process metrics included. */
export const METRIC_PREFIX = 'navplane_';

const METRIC_NAME = /^navplane_[a-z][a-z0-9_]*[a-z0-9]$/;

/** Options of createMetricsRegistry. */
export interface MetricsRegistryOptions {
  /** Register prom-client's default process metrics, prefixed `navplane_` (default true). */
  readonly collectDefault?: boolean;
  /** Labels added to every series, e.g. `{ app: 'gateway' }` (default none). */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

/** A metric's configuration without `registers` (the helper registers it on its own registry). */
export type MetricOptions<C> = Omit<C, 'registers'>;

/** A Prometheus registry plus helpers that create metrics on it with NavPlane's naming rules. */
export interface MetricsRegistry {
  /** The underlying prom-client registry. */
  readonly registry: Registry;
  /** Content-Type of `metrics()` (Prometheus text format). */
  readonly contentType: string;
  /** The `/metrics` body. */
  metrics(): Promise<string>;
  /** Gets or creates a counter; its name must be `navplane_…_total`. */
  counter<L extends string = string>(options: MetricOptions<CounterConfiguration<L>>): Counter<L>;
  /** Gets or creates a gauge named `navplane_…`. */
  gauge<L extends string = string>(options: MetricOptions<GaugeConfiguration<L>>): Gauge<L>;
  /** Gets or creates a histogram named `navplane_…_<unit>` (seconds, bytes, …). */
  histogram<L extends string = string>(options: MetricOptions<HistogramConfiguration<L>>): Histogram<L>;
}

function checkName(name: string, kind: string, suffix?: string): void {
  if (!METRIC_NAME.test(name)) {
    throw new AppError('internal_error', `${kind} name "${name}" must be snake_case and start with ${METRIC_PREFIX}`);
  }
  if (suffix !== undefined && !name.endsWith(suffix)) {
    throw new AppError('internal_error', `${kind} name "${name}" must end with ${suffix}`);
  }
}

/** A prom-client Registry with default process metrics (prefixed `navplane_`, default on) and metric helpers. */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const registry = new Registry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels({ ...options.defaultLabels });
  if (options.collectDefault ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  // Get-or-create, so two apps (or two test cases) sharing a registry can ask for the same metric.
  function getOrCreate<M extends Metric>(name: string, kind: new (...args: never[]) => M, create: () => M): M {
    const existing = registry.getSingleMetric(name);
    if (existing === undefined) return create();
    if (existing instanceof kind) return existing;
    throw new AppError('internal_error', `metric "${name}" is already registered with another type`);
  }

  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    counter: (config) => {
      checkName(config.name, 'counter', '_total');
      return getOrCreate(config.name, Counter, () => new Counter({ ...config, registers: [registry] }));
    },
    gauge: (config) => {
      checkName(config.name, 'gauge');
      return getOrCreate(config.name, Gauge, () => new Gauge({ ...config, registers: [registry] }));
    },
    histogram: (config) => {
      checkName(config.name, 'histogram');
      return getOrCreate(config.name, Histogram, () => new Histogram({ ...config, registers: [registry] }));
    },
  };
}
