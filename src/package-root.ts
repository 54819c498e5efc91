/**
 * The package's root folder (the one holding package.json, migrations/,
 * queries/ and bin/), found from this file's location, so the same lookup
 * works from the TypeScript sources (src/) and from the compiled CLI
 * (dist/src/), at any depth.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`stripscan: no package root above ${fileURLToPath(from)}`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot(import.meta.url);
