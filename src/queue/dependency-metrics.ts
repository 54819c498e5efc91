/**
 * The Prometheus series a long-running process (worker, writer) keeps for
 * each service it needs: `stripscan_dependency_up{service}` (0/1) and
 * `stripscan_dependency_outages_total{service}`, created on first use so
 * that several services (Redis, ClickHouse) share them in one registry.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface DependencyMetrics {
  up: Gauge<'service'>;
  outages: Counter<'service'>;
}

/** The dependency series of a registry, created on first use so that several services can share them. */
export function dependencyMetrics(registry: Registry): DependencyMetrics {
  const up =
    (registry.getSingleMetric('stripscan_dependency_up') as Gauge<'service'> | undefined) ??
    new Gauge({
      name: 'stripscan_dependency_up',
      help: 'Whether a service this process needs is reachable (1) or not (0)',
      labelNames: ['service'],
      registers: [registry],
    });
  const outages =
    (registry.getSingleMetric('stripscan_dependency_outages_total') as Counter<'service'> | undefined) ??
    new Counter({
      name: 'stripscan_dependency_outages_total',
      help: 'Outages of a service this process needs (each logged once)',
      labelNames: ['service'],
      registers: [registry],
    });
  return { up, outages };
}
