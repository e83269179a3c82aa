import type { z } from 'zod';
import type { CsvTable } from './csv.js';
import type { FilterName } from './metric-params.js';
import type { MetricScope } from './metric-scope.js';
import type { MetricsSource } from './metrics-source.js';

/** What a metric computes from: the engine's rows (MetricsSource), the parsed scope and its own parameters. */
export interface MetricContext<P> {
  source: MetricsSource;
  scope: MetricScope;
  params: P;
  /** Epoch ms of the request (injected clock). */
  now: number;
  /** `--classifier-daily-budget`, when set: the classification metric reports spend against it. */
  classifierDailyBudget?: number | undefined;
}

/** A metric's answer, as JSON and as a CSV table. */
export interface MetricAnswer {
  body: unknown;
  csv: CsvTable;
}

/** One `GET /v1/metrics/<path>` endpoint. */
export interface MetricEndpoint<S extends z.ZodObject = z.ZodObject> {
  path: string;
  /** Filters that make sense for this metric; any other filter is a 400. */
  filters: readonly FilterName[];
  /** The metric's own query parameters (besides from, to, tz, include_debug, format and filters). */
  params: S;
  compute(context: MetricContext<z.output<S>>): Promise<MetricAnswer>;
}

/** Keeps the parameter types of one endpoint connected to its `compute`. */
export function defineMetric<S extends z.ZodObject>(endpoint: MetricEndpoint<S>): MetricEndpoint<S> {
  return endpoint;
}
