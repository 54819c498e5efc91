/**
 * SELECT list that turns observation rows back into ScanRecord shape: IPv4
 * addresses as dotted quads (the `host` column of migration 0009, the one
 * definition every view uses), ts as ISO 8601 with milliseconds.
 * Used by export and the round-trip tests; add `, asn, country, asn_dataset`
 * for the enrichment.
 */
export const RECORD_COLUMNS = `* EXCEPT (ip, ts, asn, country, asn_dataset, inserted_at),
  host AS ip,
  concat(replaceOne(toString(ts), ' ', 'T'), 'Z') AS ts`;
