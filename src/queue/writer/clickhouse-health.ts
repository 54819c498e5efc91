/**
 * The writer's view of ClickHouse: up, or down since when and why. An outage
 * is logged once when it starts ("waiting for ClickHouse at … (reason)") and
 * once when it ends ("… is back after 12.3 s"), never once per attempt, and
 * shows in the metrics as stripscan_dependency_up{service="clickhouse"} and
 * stripscan_dependency_outages_total{service="clickhouse"}.
 */
import type { Registry } from 'prom-client';
import { UnavailableError, type StripscanError } from '../../errors.js';
import { dependencyMetrics } from '../dependency-metrics.js';

const LABELS = { service: 'clickhouse' };

export class ClickHouseHealth {
  private downSince: number | null = null;
  private readonly metrics;

  constructor(
    private readonly where: string,
    registry: Registry,
    private readonly log: (line: string) => void,
  ) {
    this.metrics = dependencyMetrics(registry);
    this.metrics.up.set(LABELS, 1);
    this.metrics.outages.inc(LABELS, 0);
  }

  get isDown(): boolean {
    return this.downSince !== null;
  }

  down(err: StripscanError): void {
    if (this.downSince !== null) return;
    this.downSince = Date.now();
    this.metrics.up.set(LABELS, 0);
    this.metrics.outages.inc(LABELS);
    const reason = err instanceof UnavailableError ? err.reason : err.message;
    this.log(`waiting for ClickHouse at ${this.where} (${reason})`);
  }

  up(): void {
    if (this.downSince === null) return;
    const seconds = ((Date.now() - this.downSince) / 1000).toFixed(1);
    this.downSince = null;
    this.metrics.up.set(LABELS, 1);
    this.log(`ClickHouse at ${this.where} is back after ${seconds} s`);
  }
}
