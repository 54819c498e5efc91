/** A progress bar on stderr when it is a terminal; nothing otherwise (CI, pipes, logs). */
import cliProgress from 'cli-progress';

export interface Progress {
  tick(): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => {}, stop: () => {} };

export function startProgress(total: number, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled || total <= 0) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'scanning [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left | {rate}/s',
      hideCursor: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let done = 0;
  bar.start(total, 0, { rate: 0 });
  return {
    tick() {
      done++;
      if (done % 16 === 0 || done === total) {
        bar.update(done, { rate: Math.round((done * 1000) / Math.max(1, Date.now() - started)) });
      }
    },
    stop() {
      bar.update(done);
      bar.stop();
    },
  };
}
