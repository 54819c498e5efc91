/**
 * How a store failure is named: what the client and chDB throw becomes an
 * outage (exit 3, or the writer waits) or a refusal (exit 1 with ClickHouse's
 * words), and anything else is left alone so that a bug keeps its stack.
 * The real failures behind these shapes are produced in store-outage.test.ts
 * and full-disk.test.ts; here every shape is pinned.
 */
import { ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { StoreError, UnavailableError } from '../../src/errors.js';
import { isStoreOutage, storeFailure } from '../../src/store/store-errors.js';

const WHERE = 'http://127.0.0.1:8123/default';

function errno(code: string, message = `connect ${code} 127.0.0.1:8123`): Error {
  return Object.assign(new Error(message), { code });
}

describe('storeFailure', () => {
  it.each([
    ['a refused connection', errno('ECONNREFUSED'), 'ECONNREFUSED'],
    [
      'a reset, as a cause',
      new Error('request failed', { cause: errno('ECONNRESET', 'socket hang up') }),
      'ECONNRESET',
    ],
    ['an unreachable host', errno('EHOSTUNREACH'), 'EHOSTUNREACH'],
    ["the client's request deadline", new Error('Timeout error.'), 'no answer'],
  ])('%s is ClickHouse unavailable', (_name, err, reason) => {
    const failure = storeFailure(err, WHERE);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as UnavailableError).message).toBe(`cannot reach ClickHouse at ${WHERE} (${reason})`);
    expect(isStoreOutage(failure)).toBe(true);
  });

  it.each([
    ['NOT_ENOUGH_SPACE from a server', new ClickHouseError({ message: 'Cannot reserve 1.00 MiB', code: '243' })],
    [
      'a chDB error that quotes ENOSPC',
      Object.assign(new Error('Code: 75. DB::Exception: Cannot write to file: No space left on device'), {
        clickhouseCode: 75,
      }),
    ],
  ])('%s is a full disk, an outage', (_name, err) => {
    const failure = storeFailure(err, WHERE);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).code).toBe('E_STORE_DISK_FULL');
    expect(isStoreOutage(failure)).toBe(true);
  });

  it("a ClickHouse exception is a refusal, in ClickHouse's words on one line", () => {
    const chdb = Object.assign(new Error('Code: 62. DB::Exception: Syntax error:\nfailed at position 1'), {
      clickhouseCode: 62,
    });
    // chDB's connection wraps what it cannot parse in a plain Error, keeping the chDB error as its cause.
    const failure = storeFailure(new Error('Syntax error: failed', { cause: chdb }), WHERE);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).code).toBe('E_STORE_REFUSED');
    expect((failure as StoreError).message).toBe(
      `ClickHouse at ${WHERE} refused: Code: 62. DB::Exception: Syntax error: failed at position 1`,
    );
    expect(isStoreOutage(failure)).toBe(false);
  });

  it('leaves alone what is not the store: a bug, a full disk of our own files, an error already named', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'rows')");
    const ours = errno('ENOSPC', 'ENOSPC: no space left on device, write');
    const named = new UnavailableError('Redis', '127.0.0.1:6379', 'ECONNREFUSED');
    for (const err of [bug, ours, named]) expect(storeFailure(err, WHERE)).toBe(err);
  });
});
