/**
 * nmap and testssl.sh come from Debian's packages: installed by the bench
 * when missing (and allowed), never downloaded from anywhere else.
 */
import { existsSync } from 'node:fs';
import { runChild } from './child.js';

/** The first existing path of the tool, or null. */
function locate(paths: readonly string[]): string | null {
  return paths.find((p) => existsSync(p)) ?? null;
}

export async function ensureDebianTool(
  paths: readonly string[],
  debianPackage: string,
  install: boolean,
  log: (m: string) => void,
): Promise<string | null> {
  const found = locate(paths);
  if (found !== null || !install) return found;
  log(`installing ${debianPackage} from Debian (apt-get install -y ${debianPackage}) …`);
  const result = await runChild('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], {
    timeoutMs: 600_000,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  }).catch((err: unknown) => ({ code: -1, stderr: String(err) }));
  if (result.code !== 0) log(`apt-get install ${debianPackage} failed: ${result.stderr.slice(-500)}`);
  return locate(paths);
}
