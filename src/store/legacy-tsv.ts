/**
 * Observation batches as stripscan wrote them before Native blocks: one
 * TabSeparated line per record (spool files of version 2 and 3). They are
 * only ever replayed, never written. The columns are told apart by count:
 * files from before migration 0005 lack its four record fields.
 */
import { RECORD_FIELDS } from '../record.js';

const ADDED_BY_0005 = new Set<string>(['server_name', 'strip_evidence', 'cert_validity', 'cert_name_matches']);
const BEFORE_0005: readonly string[] = RECORD_FIELDS.filter((f) => !ADDED_BY_0005.has(f));

/**
 * The columns of a TabSeparated batch, read from the number of fields on its
 * first line (tabs inside values are escaped, so each raw tab separates two).
 * An unknown count gets today's columns, and ClickHouse names the mismatch.
 */
export function tsvColumns(body: Buffer): readonly string[] {
  const end = body.indexOf(10);
  let fields = 1;
  for (let i = body.indexOf(9); i !== -1 && (end === -1 || i < end); i = body.indexOf(9, i + 1)) fields += 1;
  return fields === BEFORE_0005.length ? BEFORE_0005 : RECORD_FIELDS;
}
