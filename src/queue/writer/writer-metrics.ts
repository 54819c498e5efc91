/** The stream writer's Prometheus metrics (ClickHouse's health is clickhouse-health.ts's). */
import { Counter, Gauge, type Registry } from 'prom-client';

export class WriterMetrics {
  readonly rows: Counter;
  readonly entries: Counter;
  readonly failures: Counter;
  readonly deadLetters: Counter;
  readonly spooledRows: Counter;

  constructor(registry: Registry, backlog: () => Promise<number>) {
    this.rows = new Counter({
      name: 'stripscan_writer_rows_total',
      help: 'Observation rows stored (inserted, or spooled during a store outage)',
      registers: [registry],
    });
    this.entries = new Counter({
      name: 'stripscan_writer_entries_total',
      help: 'Stream entries acknowledged',
      registers: [registry],
    });
    this.failures = new Counter({
      name: 'stripscan_writer_failures_total',
      help: 'Entries refused by ClickHouse (retried later), and failed read rounds',
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'stripscan_writer_dead_letters_total',
      help: 'Entries moved to the dead-letter stream',
      registers: [registry],
    });
    this.spooledRows = new Counter({
      name: 'stripscan_writer_spooled_rows_total',
      help: 'Rows (all tables) written to the spool because the store could not take them',
      registers: [registry],
    });
    new Gauge({
      name: 'stripscan_writer_backlog_entries',
      help: 'Result stream entries not yet acknowledged (one per chunk)',
      registers: [registry],
      async collect() {
        this.set(await backlog().catch(() => NaN));
      },
    });
  }
}
