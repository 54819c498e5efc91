/**
 * Domain lists for `stripscan domains`: arguments and `--domains-file`
 * (`-` for stdin), one domain per line, `#` comments and blank lines
 * skipped. Each is a host name (two or more labels), normalized (lower case,
 * no trailing dot) and kept once, in the order first given; a bad line
 * exits 2 naming the file and line. Lines are bounded in length, so a binary
 * or hostile file cannot grow memory without limit.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isHostName, normalizeHostName } from '../dns-name.js';
import { UsageError } from '../errors.js';
import { MAX_LINE_LENGTH } from './read-targets.js';

function checkDomain(text: string, where: string): string {
  if (!isHostName(text)) {
    throw new UsageError(`${where}${JSON.stringify(text)} is not a domain name (two or more DNS labels)`);
  }
  return normalizeHostName(text);
}

export async function readDomains(
  args: readonly string[],
  file: string | undefined,
  stdin?: Readable,
): Promise<string[]> {
  const domains = new Set<string>();
  for (const arg of args) domains.add(checkDomain(arg.trim(), ''));
  if (file !== undefined) {
    const input: Readable = file === '-' ? (stdin ?? process.stdin) : createReadStream(file, { encoding: 'utf8' });
    const name = file === '-' ? 'stdin' : file;
    const opened = new Promise<void>((resolve, reject) => {
      input.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new UsageError(`--domains-file ${JSON.stringify(file)}: cannot read it (${err.code ?? err.message})`, {
            cause: err,
          }),
        ),
      );
      input.once('end', resolve);
    });
    let lineNumber = 0;
    const lines = createInterface({ input, crlfDelay: Infinity });
    const reading = (async () => {
      for await (const raw of lines) {
        lineNumber++;
        if (raw.length > MAX_LINE_LENGTH)
          throw new UsageError(`${name}:${lineNumber}: line longer than ${MAX_LINE_LENGTH} characters`);
        const line = raw.replace(/#.*$/, '').trim();
        if (line !== '') domains.add(checkDomain(line, `${name}:${lineNumber}: `));
      }
    })();
    await Promise.all([reading, opened]);
  }
  if (domains.size === 0) throw new UsageError('no domains: give domains as arguments or with --domains-file FILE|-');
  return [...domains];
}
