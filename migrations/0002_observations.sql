-- One row per probe observation (src/record.ts, same column names).
-- Enum vocabularies must equal the arrays in src/record.ts (test/store/schema-vocabulary.test.ts).
-- ORDER BY (campaign, ip, port, ts): nearly every analyst query filters on a
-- campaign; within it, rows sorted by host make per-host history and the
-- campaign-to-campaign comparisons (same ip in two campaigns) read contiguous
-- ranges. Time-of-day questions go to the daily rollup instead.
-- non_replicated_deduplication_window: without it insert_deduplication_token
-- does nothing on a plain MergeTree; 100,000 blocks covers days of batches.
CREATE TABLE IF NOT EXISTS observations
(
    campaign LowCardinality(String),
    job String CODEC(ZSTD(1)),
    vantage LowCardinality(String),
    ip IPv6,
    port UInt16,
    ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    outcome Enum8('connect-refused' = 1, 'connect-timeout' = 2, 'connect-error' = 3, 'no-banner' = 4, 'not-smtp' = 5, 'smtp-rejected' = 6, 'ehlo-failed' = 7, 'no-starttls' = 8, 'starttls-stripped' = 9, 'starttls-refused' = 10, 'tls-failed' = 11, 'tls-ok' = 12),
    fingerprints Array(Enum8('masked-ehlo-keyword' = 1, 'masked-banner' = 2, 'corrupted-command-echo' = 3, 'hidden-starttls' = 4)),
    error_stage Nullable(Enum8('connect' = 1, 'banner' = 2, 'ehlo' = 3, 'starttls' = 4, 'tls' = 5, 'post-tls' = 6)),
    error Nullable(String) CODEC(ZSTD(1)),
    banner Nullable(String) CODEC(ZSTD(3)),
    banner_code Nullable(UInt16),
    ehlo_code Nullable(UInt16),
    ehlo_keywords Array(String) CODEC(ZSTD(3)),
    helo_fallback Bool,
    starttls_advertised Bool,
    starttls_sent Bool,
    starttls_code Nullable(UInt16),
    starttls_reply Nullable(String) CODEC(ZSTD(3)),
    implicit_tls Bool,
    tls_version LowCardinality(Nullable(String)),
    tls_cipher LowCardinality(Nullable(String)),
    tls_error Nullable(String) CODEC(ZSTD(1)),
    cert_sha256 Nullable(String) CODEC(ZSTD(1)),
    cert_status Nullable(Enum8('valid' = 1, 'expired' = 2, 'not-yet-valid' = 3, 'self-signed' = 4, 'untrusted' = 5)),
    cert_subject Nullable(String) CODEC(ZSTD(3)),
    cert_issuer Nullable(String) CODEC(ZSTD(3)),
    cert_sans Array(String) CODEC(ZSTD(3)),
    -- Kept as the text the certificate carried: hostile certificates hold dates
    -- outside DateTime64's range, and the record must survive byte for byte.
    cert_not_before Nullable(String),
    cert_not_after Nullable(String),
    cert_key_type LowCardinality(Nullable(String)),
    cert_key_bits Nullable(UInt32),
    cert_chain_len Nullable(UInt16),
    cert_name_matches_banner Nullable(Bool),
    post_tls_ehlo_code Nullable(UInt16),
    post_tls_ehlo_keywords Array(String) CODEC(ZSTD(3)),
    duration_ms UInt32 CODEC(T64, ZSTD(1)),
    transcript String CODEC(ZSTD(3)),
    -- Filled at insert time from the active ASN data set (dictionary asn_trie):
    -- 0 / '' when no data set is loaded or no prefix covers the address.
    asn UInt32 DEFAULT dictGetOrDefault('asn_trie', 'asn', ip, toUInt32(0)),
    country LowCardinality(String) DEFAULT dictGetOrDefault('asn_trie', 'country', ip, ''),
    asn_dataset LowCardinality(String) DEFAULT dictGetOrDefault('asn_trie', 'dataset', ip, ''),
    inserted_at DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (campaign, ip, port, ts)
SETTINGS non_replicated_deduplication_window = 100000;
