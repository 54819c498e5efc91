/**
 * How long `stripscan sim` takes to listen, and what its processes hold.
 * Run: npx tsx bench/sim-startup.ts RANGE [sim flags…]
 * e.g. npx tsx bench/sim-startup.ts 127.16.0.0/16 --implicit-tls-port 0
 *
 * Spawns the sim on port 0, times the "listening" line, sums the resident
 * memory of the sim and its part processes (ps), stops it with SIGTERM and
 * checks that no part outlives it. Prints one line.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './harness/child.js';

const [range = '127.16.0.0/20', ...flags] = process.argv.slice(2);
const started = performance.now();
const sim = spawn(
  process.execPath,
  [join(REPO_ROOT, 'bin/stripscan.js'), 'sim', '--range', range, '--port', '0', ...flags],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const exited = new Promise<number | null>((resolve) => sim.once('exit', (code) => resolve(code)));
let out = '';
await new Promise<void>((resolve, reject) => {
  sim.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (out.includes('\n')) resolve();
  });
  void exited.then((code) => reject(new Error(`stripscan sim exited (${code}) before listening`)));
});
const seconds = (performance.now() - started) / 1000;
const rssKiB = (args: string[]): number[] =>
  execFileSync('ps', [...args, '-o', 'rss='], { encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .filter((v) => v !== '')
    .map(Number);
const parts = (() => {
  try {
    return rssKiB(['--ppid', String(sim.pid)]);
  } catch {
    return [];
  }
})();
const total = [...rssKiB(['-p', String(sim.pid)]), ...parts].reduce((a, b) => a + b, 0);
sim.kill('SIGTERM');
const code = await exited;
console.log(
  `${range} ${flags.join(' ')}: listening after ${seconds.toFixed(1)} s, ${parts.length} part processes, ` +
    `${(total / 1024).toFixed(0)} MiB resident in all; exit ${code}`,
);
