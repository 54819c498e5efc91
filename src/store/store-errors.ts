/**
 * What went wrong with the store, in the program's terms. Everything the
 * ClickHouse client or chDB throws is read once here and becomes one of:
 *
 * - UnavailableError (exit 3): the server could not be reached or stopped
 *   answering: refused, reset, unreachable, timed out;
 * - StoreError E_STORE_DISK_FULL: ClickHouse has no room (NOT_ENOUGH_SPACE);
 * - StoreError E_STORE_REFUSED: ClickHouse answered with an exception (bad
 *   SQL, a row the table refuses, a limit), with ClickHouse's own message.
 *
 * An outage (the first two) is the store's state and passes; a refusal is a
 * property of what was sent and will repeat. The writer spools and waits
 * through outages and dead-letters what is refused. Errors not recognised as
 * the store's are returned unchanged: a bug should still show its stack.
 */
import { ClickHouseError } from '@clickhouse/client';
import { StoreError, StripscanError, UnavailableError } from '../errors.js';

/** Socket-level codes (Node's `code`) that mean the server cannot be reached or went away. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** ClickHouse NOT_ENOUGH_SPACE; chDB reports it for a full data directory. */
const NOT_ENOUGH_SPACE = 243;

/** The longest store message quoted on the one line a command prints. */
const MESSAGE_CHARS = 400;

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MESSAGE_CHARS ? `${flat.slice(0, MESSAGE_CHARS - 1)}…` : flat;
}

function errnoCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
  }
  return undefined;
}

/**
 * A ClickHouse exception's code and message: from a server (ClickHouseError),
 * or from chDB (an error with `clickhouseCode`, which chDB's connection wraps
 * in a plain Error when its text does not parse).
 */
function clickhouseException(err: Error): { code: number; message: string } | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ClickHouseError) return { code: Number(e.code), message: e.message };
    const chdb = (e as { clickhouseCode?: unknown }).clickhouseCode;
    if (typeof chdb === 'number') return { code: chdb, message: e.message };
    const text = /^Code: (\d+)\. DB::Exception/.exec(e.message);
    if (text) return { code: Number(text[1]), message: e.message };
  }
  return undefined;
}

/**
 * The program's error for a store failure. `where` names the store for the
 * message (never with a password): `http://host:8123/db` or the data directory.
 */
export function storeFailure(err: unknown, where: string): unknown {
  if (err instanceof StripscanError || !(err instanceof Error)) return err;
  // ENOSPC is not read here: a full disk under ClickHouse comes back as its NOT_ENOUGH_SPACE, and a
  // file this program writes (the spool, an export) names its own disk where it fails.
  const code = errnoCode(err);
  if (code !== undefined) return new UnavailableError('ClickHouse', where, code, { cause: err });
  // The client's own request deadline (request_timeout): the server accepted the connection and went silent.
  if (err.message === 'Timeout error.') return new UnavailableError('ClickHouse', where, 'no answer', { cause: err });
  const exception = clickhouseException(err);
  // Past its reservation, a write can still meet a full disk: ClickHouse then quotes the errno.
  if (
    exception !== undefined &&
    (exception.code === NOT_ENOUGH_SPACE || /No space left on device/.test(exception.message))
  ) {
    return new StoreError(
      'E_STORE_DISK_FULL',
      `ClickHouse at ${where} has no space left: ${oneLine(exception.message)}`,
      {
        cause: err,
      },
    );
  }
  if (exception !== undefined) {
    return new StoreError('E_STORE_REFUSED', `ClickHouse at ${where} refused: ${oneLine(exception.message)}`, {
      cause: err,
    });
  }
  return err;
}

/** An outage passes (the server comes back, space is freed); what was refused will be refused again. */
export function isStoreOutage(err: unknown): boolean {
  return err instanceof UnavailableError || (err instanceof StoreError && err.code === 'E_STORE_DISK_FULL');
}
