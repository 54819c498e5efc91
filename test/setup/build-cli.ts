/**
 * Tests that run the CLI as a process run the compiled CLI (dist/), as users
 * do: build it first so that it is never older than the sources (incremental,
 * a few seconds when nothing changed).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
