/**
 * A batch of observations on its way to one insert: records are encoded as
 * they arrive into Native blocks of BLOCK_ROWS rows (observation-block.ts),
 * which are appended to the batch's body and hashed for its dedup token, so
 * no write() call does more than one block's work. The body's memory is
 * sized once and reused for later batches once its insert (or spool) is
 * done: touching fresh memory costs more here than encoding into it
 * (docs/schema.md, "Ingest").
 */
import { createHash, type Hash } from 'node:crypto';
import type { ScanRecord } from '../record.js';
import { NativeWriter } from './native-writer.js';
import { ObservationBlock } from './observation-block.js';

/** Rows per Native block: about 6 MB of typical rows, encoded in a few ms. */
export const BLOCK_ROWS = 8_192;
/** Bodies kept for reuse: the batches a writer has in flight at most, and one being filled. */
const SPARE_BODIES = 6;

export interface EncodedBatch {
  /** Native blocks; valid until release(). */
  body: Buffer;
  rows: number;
  /** SHA-256 of the body, hex. */
  digest: string;
  /** Hands the body's memory back for a later batch; the body must not be used after. */
  release(): void;
}

export class ObservationBatch {
  private readonly block = new ObservationBlock();
  private body: NativeWriter | undefined;
  private hash: Hash = createHash('sha256');
  private count = 0;
  private readonly spare: NativeWriter[] = [];
  /** @param expectedRows rows a batch usually has: a new body is sized for them from the first block's bytes per row. */
  constructor(private readonly expectedRows = BLOCK_ROWS) {}

  get rows(): number {
    return this.count;
  }

  add(record: ScanRecord): void {
    this.block.add(record);
    this.count += 1;
    if (this.block.rows >= BLOCK_ROWS) this.finishBlock();
  }

  /** The batch so far (which may be empty); the next add() starts a new one. */
  take(): EncodedBatch {
    this.finishBlock();
    const body = this.body ?? new NativeWriter(0);
    const batch: EncodedBatch = {
      body: body.bytes(),
      rows: this.count,
      digest: this.hash.digest('hex'),
      release: () => {
        body.clear();
        if (this.spare.length < SPARE_BODIES) this.spare.push(body);
      },
    };
    this.body = undefined;
    this.hash = createHash('sha256');
    this.count = 0;
    return batch;
  }

  private finishBlock(): void {
    if (this.block.rows === 0) return;
    const bytes = this.block.byteLength;
    // Sized once from the first block (untouched memory costs nothing): growing
    // by copies costs more than the encoding (profiled with heavy rows).
    const room = bytes + Math.ceil((bytes / this.block.rows) * Math.max(0, this.expectedRows - this.count) * 1.1);
    if (this.body === undefined) {
      const spare = this.spare.pop();
      this.body = spare !== undefined && spare.capacity >= room ? spare : new NativeWriter(room);
    }
    this.body.reserve(bytes);
    const from = this.body.length;
    this.block.finish(this.body);
    this.hash.update(this.body.bytes().subarray(from));
  }
}
