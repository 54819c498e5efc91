#!/usr/bin/env node
// Entry point. Runs the compiled CLI (dist/, built by `npm run build`, which
// `npm ci` and `npm pack` run through `prepare`). Without a build — a clone
// that has not run npm ci, or STRIPSCAN_FROM_SOURCE=1 while developing — it
// runs the TypeScript sources through tsx, a devDependency.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
if (process.env.STRIPSCAN_FROM_SOURCE !== '1' && existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
