/**
 * The package as users get it: `npm pack`, installed into an empty project
 * with `--omit=dev` (no tsx, no TypeScript), runs `stripscan scan` from its
 * compiled CLI. Packages come from the npm cache that `npm ci` filled
 * (`--prefer-offline`); the registry is the only network npm may reach.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stripscan-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack', () => {
  it('installs with --omit=dev and scans from the compiled CLI', async () => {
    execFileSync('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }),
    );
    execFileSync(
      'npm',
      ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball ?? '')],
      { cwd: project, stdio: 'pipe' },
    );
    // What a user's install must not hold: the development toolchain.
    const installed = readdirSync(join(project, 'node_modules'));
    expect(installed).not.toContain('tsx');
    expect(installed).not.toContain('typescript');

    const port = await closedPort();
    const run = spawnSync(
      join(project, 'node_modules', '.bin', 'stripscan'),
      ['scan', '127.0.0.1', '--port', String(port), '--allow-reserved', '--no-store', '--seed', '1'],
      { cwd: project, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toContain('connect-refused');
    expect(run.status).toBe(0);
    const record = JSON.parse(run.stdout.trim()) as { outcome: string; ip: string };
    expect(record).toMatchObject({ ip: '127.0.0.1', outcome: 'connect-refused' });
  }, 240_000);
});
