/**
 * SELECT list that turns observation rows back into ScanRecord shape: IPv4
 * addresses unmapped from the IPv6 column, ts as ISO 8601 with milliseconds.
 * Used by export and the round-trip tests; add `, asn, country, asn_dataset`
 * for the enrichment.
 */
export const RECORD_COLUMNS = `* EXCEPT (ip, ts, asn, country, asn_dataset, inserted_at),
  replaceRegexpOne(toString(ip), '^::ffff:', '') AS ip,
  concat(replaceOne(toString(ts), ' ', 'T'), 'Z') AS ts`;
