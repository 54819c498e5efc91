/**
 * Reads targets files and stdin (one target per line: ZMap plain or CSV
 * output, ZGrab2's `ip,name[,tag]`; src/targets/target-line.ts) for the pure
 * target engine. Streams the input with a bound on line
 * length, so a hostile or binary file cannot grow memory without limit, and
 * names the file and line of the first bad entry.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StripscanError, UsageError } from '../errors.js';
import { NAMED_LINE_HINT, parseTarget, parseTargetSpec, TargetLineReader } from '../targets/index.js';

export const MAX_LINE_LENGTH = 1024;

export interface ReadTargetsOptions {
  /** The flag that named the file, for messages (`--targets-file`, `--blocklist`). */
  flag: string;
  /** An empty blocklist is fine; an empty targets file is a mistake. */
  allowEmpty: boolean;
  /**
   * Lines may carry a name (`ip,name`): targets files. A blocklist or an
   * allowlist names addresses only; its other columns are ignored.
   */
  names: boolean;
  /** Where `-` reads from; process.stdin unless a test passes its own stream. */
  stdin?: Readable;
}

function sourceName(path: string): string {
  return path === '-' ? 'stdin' : JSON.stringify(path);
}

function lineError(path: string, lineNumber: number, message: string): UsageError {
  return new UsageError(`${path === '-' ? 'stdin' : path}:${lineNumber}: ${message}`);
}

/** The target specs in `path` (`-` for stdin), each checked; throws UsageError naming file and line. */
export async function readTargetSpecs(path: string, opts: ReadTargetsOptions): Promise<string[]> {
  const stream = path === '-' ? (opts.stdin ?? process.stdin) : createReadStream(path);
  stream.setEncoding('utf8');
  const specs: string[] = [];
  const reader = new TargetLineReader(opts.names);
  let pending = '';
  let lineNumber = 0;
  const atLine = (err: unknown, hint = ''): unknown =>
    err instanceof UsageError ? lineError(path, lineNumber, err.message + hint) : err;
  const takeLine = (raw: string): void => {
    lineNumber++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let spec: string | null;
    try {
      spec = reader.read(line, lineNumber);
    } catch (err) {
      throw atLine(err);
    }
    if (spec === null) return;
    try {
      if (opts.names) parseTarget(spec);
      else parseTargetSpec(spec);
    } catch (err) {
      throw atLine(err, spec.includes(',') ? ` (${NAMED_LINE_HINT})` : '');
    }
    specs.push(spec);
  };
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      let from = 0;
      for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
        const piece = chunk.slice(from, nl);
        if (pending.length + piece.length > MAX_LINE_LENGTH) {
          throw lineError(path, lineNumber + 1, `line longer than ${MAX_LINE_LENGTH} characters`);
        }
        takeLine(pending + piece);
        pending = '';
        from = nl + 1;
      }
      pending += chunk.slice(from);
      if (pending.length > MAX_LINE_LENGTH) {
        throw lineError(path, lineNumber + 1, `line longer than ${MAX_LINE_LENGTH} characters`);
      }
    }
  } catch (err) {
    if (path !== '-') stream.destroy();
    if (err instanceof StripscanError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new UsageError(`${opts.flag} ${sourceName(path)}: cannot read the file (${code || String(err)})`, {
      cause: err,
    });
  }
  if (pending !== '') takeLine(pending);
  if (specs.length === 0 && !opts.allowEmpty) {
    throw new UsageError(`${opts.flag} ${sourceName(path)}: the file holds no targets`);
  }
  return specs;
}
