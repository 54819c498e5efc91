/**
 * A file a command writes its output to: its folder is checked before any
 * work (a missing one is the user's typo, named with exit 2), and failures
 * while writing (a full disk, a permission) are named with the file.
 */
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StripscanError, UsageError } from '../errors.js';

export function assertWritableFile(file: string): void {
  const folder = dirname(resolve(file));
  const folderStat = statSync(folder, { throwIfNoEntry: false });
  if (folderStat === undefined) throw new UsageError(`${file}: folder ${folder} does not exist`);
  if (!folderStat.isDirectory()) throw new UsageError(`${file}: ${folder} is not a folder`);
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw new UsageError(`${file}: is a folder; name a file inside it`);
  }
}

export interface OutputFile {
  stream: WriteStream;
  /** Ends the file; failures are named with it. */
  close(): Promise<void>;
}

export function openOutput(file: string): OutputFile {
  const stream = createWriteStream(file);
  return {
    stream,
    close: () =>
      new Promise<void>((done, fail) => {
        stream.end((err?: Error | null) => (err ? fail(outputFailure(file, err)) : done()));
      }),
  };
}

/** A write to the file failed: exit 1 naming the file and the system's code. */
export function outputFailure(file: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return err;
  return new StripscanError('E_OUTPUT', `${file}: cannot write it (${code})`, { cause: err });
}
