/** The scan worker's Prometheus metrics. Probes per second is rate(stripscan_probes_total). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { OUTCOMES, type ScanRecord } from '../record.js';

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly probes: Counter<'campaign' | 'outcome'>;
  private readonly inFlight: Gauge<'campaign'>;
  readonly chunkDuration: Histogram<'campaign' | 'status'>;
  readonly queueDepth: Gauge<'campaign'>;

  constructor(
    private readonly campaign: string,
    collectQueueDepth: () => Promise<number>,
  ) {
    this.probes = new Counter({
      name: 'stripscan_probes_total',
      help: 'Probes finished, by outcome',
      labelNames: ['campaign', 'outcome'],
      registers: [this.registry],
    });
    for (const o of OUTCOMES) this.probes.inc({ campaign, outcome: o }, 0);
    this.inFlight = new Gauge({
      name: 'stripscan_probes_in_flight',
      help: 'Probes started and not yet finished',
      labelNames: ['campaign'],
      registers: [this.registry],
    });
    this.chunkDuration = new Histogram({
      name: 'stripscan_chunk_duration_seconds',
      help: 'Wall time per chunk job',
      labelNames: ['campaign', 'status'],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [this.registry],
    });
    this.queueDepth = new Gauge({
      name: 'stripscan_queue_waiting_chunks',
      help: 'Chunk jobs waiting in the campaign queue',
      labelNames: ['campaign'],
      registers: [this.registry],
      collect: async () => {
        this.queueDepth.set({ campaign }, await collectQueueDepth().catch(() => NaN));
      },
    });
  }

  probeStarted(): void {
    this.inFlight.inc({ campaign: this.campaign });
  }

  probeFinished(record: ScanRecord): void {
    this.inFlight.dec({ campaign: this.campaign });
    this.probes.inc({ campaign: this.campaign, outcome: record.outcome });
  }
}
