/** The --metrics-port / --metrics-host flags of the long-running processes (worker, writer). */
import type { Command } from 'commander';
import { parseIntInRange } from './options.js';

export interface MetricsFlags {
  metricsPort?: number;
  metricsHost: string;
}

export function addMetricsFlags(cmd: Command): Command {
  return cmd
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on this port (0: any free port)',
      parseIntInRange('--metrics-port', 0, 65535),
    )
    .option('--metrics-host <host>', 'address the metrics endpoint binds', '127.0.0.1');
}
