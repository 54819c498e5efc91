/**
 * The `stripscan sim` process: start the fleet, write the CA and manifest
 * files, say where it listens, serve until SIGINT/SIGTERM. A range whose
 * listeners do not fit in one process's open files is served by several
 * (fleet-parts.ts); this process then serves nothing itself.
 */
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { UsageError } from '../errors.js';
import { parseFleetRange } from './address-range.js';
import type { Mix } from './assignment.js';
import type { FleetDescription } from './fleet-description.js';
import { splitRange, startSplitFleet } from './fleet-parts.js';
import { startFleet } from './fleet.js';
import { socketBudget } from './open-files.js';

export interface SimRunOptions {
  range: string;
  port: number;
  implicitTlsPort?: number;
  mix: Mix;
  seed: number;
  manifest?: string;
  caOut?: string;
  /** `--path-sources`: client addresses the path personas' boxes act on. */
  pathSources?: readonly string[];
}

interface ServedFleet extends FleetDescription {
  close(): Promise<void>;
  /** Rejects when a process of a split fleet ends while serving. */
  readonly failure?: Promise<never>;
}

export async function runSim(opts: SimRunOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  // Refuse a non-loopback range before anything is bound or written.
  const range = parseFleetRange('--range', opts.range);
  const parts = splitRange(range, opts.implicitTlsPort === undefined ? 1 : 2, socketBudget().listeners);
  const fleetOptions = {
    range: opts.range,
    port: opts.port,
    implicitTlsPort: opts.implicitTlsPort,
    mix: opts.mix,
    seed: opts.seed,
    ...(opts.pathSources === undefined ? {} : { pathSources: opts.pathSources }),
  };
  const fleet: ServedFleet = await (
    parts.length === 1 ? startFleet(fleetOptions) : startSplitFleet({ ...fleetOptions, parts })
  ).catch((err: unknown) => {
    throw portRefusal(err, opts);
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
  const processes = parts.length === 1 ? '' : `, ${parts.length} processes`;
  out.write(
    `stripscan sim: listening on ${fleet.range.cidr} port ${fleet.port}${implicit}: ` +
      `${fleet.range.size} hosts, ${fleet.personas.length} personas, mix ${fleet.mix}, seed ${fleet.seed}${processes}` +
      `${fleet.pathSources.enabled ? `, path sources ${fleet.pathSources.list.join(',')}` : ''}\n`,
  );
  try {
    await Promise.race([stopped, fleet.failure ?? stopped]);
  } finally {
    await fleet.close();
  }
}

/** A port the fleet cannot have is the user's to change: exit 2, naming it and the way out. */
function portRefusal(err: unknown, opts: SimRunOptions): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return err;
  const port =
    opts.implicitTlsPort === undefined
      ? `--port ${opts.port}`
      : `--port ${opts.port} / --implicit-tls-port ${opts.implicitTlsPort}`;
  const why = code === 'EADDRINUSE' ? 'another program listens there on an address of the range' : 'not allowed';
  return new UsageError(`${port}: cannot listen there (${code}: ${why}); --port 0 picks a free port`, { cause: err });
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
async function writeManifest(fleet: FleetDescription, file: string): Promise<void> {
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
