/**
 * Program failures (not scan outcomes: those are data in the record).
 * Every error carries a stable `code` and keeps its `cause`.
 */
export class StripscanError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad user input: a flag, a target, a file. The CLI exits 2 with the message, naming the bad value. */
export class UsageError extends StripscanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_USAGE', message, options);
  }
}

/**
 * A service the command needs (Redis, ClickHouse) could not be reached within
 * the service timeout. The CLI exits 3 with one line naming what, where and
 * why: `cannot reach Redis at 127.0.0.1:1 (ECONNREFUSED)`.
 */
export class UnavailableError extends StripscanError {
  constructor(
    readonly service: 'Redis' | 'ClickHouse',
    readonly where: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('E_UNAVAILABLE', `cannot reach ${service} at ${where} (${reason})`, options);
  }
}

/** The store (ClickHouse) failed or refused: migrations, inserts, queries. */
export class StoreError extends StripscanError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A queue payload or a Redis interaction that cannot succeed by retrying. */
export class QueueError extends StripscanError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
