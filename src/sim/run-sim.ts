/**
 * The `stripscan sim` process: start the fleet, write the CA and manifest
 * files, say where it listens, serve until SIGINT/SIGTERM.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { UsageError } from '../errors.js';
import { parseFleetRange } from './address-range.js';
import type { Mix } from './assignment.js';
import { startFleet, type Fleet } from './fleet.js';

export interface SimRunOptions {
  range: string;
  port: number;
  implicitTlsPort?: number;
  mix: Mix;
  seed: number;
  manifest?: string;
  caOut?: string;
}

export async function runSim(opts: SimRunOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  // Refuse a non-loopback range before anything is bound or written.
  parseFleetRange('--range', opts.range);
  const fleet = await startFleet({
    range: opts.range,
    port: opts.port,
    implicitTlsPort: opts.implicitTlsPort,
    mix: opts.mix,
    seed: opts.seed,
  }).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new UsageError(`--port ${opts.port}: cannot listen there (${code})`, { cause: err });
    }
    throw err;
  });
  try {
    if (opts.caOut !== undefined)
      await writeOrExplain('--ca-out', opts.caOut, () => writeFile(opts.caOut as string, fleet.caPem));
    if (opts.manifest !== undefined)
      await writeOrExplain('--manifest', opts.manifest, () => writeManifest(fleet, opts.manifest as string));
  } catch (err) {
    await fleet.close();
    throw err;
  }
  // Listen for the signal before announcing: a supervisor may stop us the moment it reads the line.
  const stopped = untilSignal();
  const implicit = fleet.implicitTlsPort === null ? '' : `, implicit TLS on port ${fleet.implicitTlsPort}`;
  out.write(
    `stripscan sim: listening on ${fleet.range.cidr} port ${fleet.port}${implicit}: ` +
      `${fleet.range.size} hosts, ${fleet.personas.length} personas, mix ${fleet.mix}, seed ${fleet.seed}\n`,
  );
  await stopped;
  await fleet.close();
}

async function writeOrExplain(flag: string, file: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`${flag} ${JSON.stringify(file)}: cannot write it (${code})`, { cause: err });
  }
}

/** Streamed with back-pressure: a /8 manifest is 16 M lines. */
async function writeManifest(fleet: Fleet, file: string): Promise<void> {
  const stream = createWriteStream(file);
  const failed = once(stream, 'error').then(([err]) => Promise.reject(err as Error));
  failed.catch(() => undefined);
  for (const entry of fleet.manifest()) {
    if (!stream.write(`${JSON.stringify(entry)}\n`)) await Promise.race([once(stream, 'drain'), failed]);
  }
  stream.end();
  await Promise.race([once(stream, 'finish'), failed]);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
