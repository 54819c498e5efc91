/**
 * The deadline of one step of a probe: the banner after connect, the reply to
 * a command after it was written, the TLS handshake after it began. One timer
 * per probe, re-armed with refresh() at every step.
 *
 * It measures the server, not our queue: when the timer fires, the time our
 * event loop was stalled during the step is given back (the timer re-arms for
 * it, up to the step's own length), and the verdict waits for the next check
 * phase, so a reply that had already arrived while we were busy is handled
 * before the step can expire.
 */
import { performance } from 'node:perf_hooks';
import type { StallClock } from './stall-clock.js';

export class StepDeadline {
  private timer: NodeJS.Timeout | null = null;
  /** The delay the timer was created with: refresh() reuses it, so only a timer of `ms` may be refreshed. */
  private armedMs = 0;
  private startedAt = 0;
  private stalledAtStart = 0;
  /** Bumped at every start and stop, so a check scheduled for an earlier step does nothing. */
  private generation = 0;

  constructor(
    private readonly ms: number,
    private readonly stalls: StallClock,
    private readonly onExpire: () => void,
  ) {}

  start(): void {
    this.generation++;
    this.startedAt = performance.now();
    this.stalledAtStart = this.stalls.stalledMs();
    if (this.timer !== null && this.armedMs === this.ms) this.timer.refresh();
    else this.arm(this.ms);
  }

  stop(): void {
    this.generation++;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(delay: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(this.check, delay);
    this.armedMs = delay;
  }

  private readonly check = (): void => {
    const generation = this.generation;
    setImmediate(() => {
      if (generation !== this.generation) return;
      // At most the step's own length is given back: a silent server must still time out, within twice the
      // deadline, however starved the machine (servers drop idle clients after a minute or so).
      const stalled = Math.min(this.ms, this.stalls.stalledMs() - this.stalledAtStart);
      const left = this.ms - (performance.now() - this.startedAt - stalled);
      if (left > 1) {
        this.arm(left);
        return;
      }
      this.stop();
      this.onExpire();
    });
  };
}
