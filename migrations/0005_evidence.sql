-- Evidence a researcher can publish (docs/classification.md):
-- * outcome `timeout`: a deadline after the banner is ours to explain, never a
--   server's refusal or failure (adding an Enum value is a metadata change);
-- * strip_evidence: the grade behind every `starttls-stripped` row, so analysts
--   can count direct and circumstantial evidence apart;
-- * server_name / cert_name_matches: the name a target line carried (SNI) and
--   whether the certificate covers it;
-- * cert_validity: the leaf's validity window, apart from cert_status, which now
--   judges trust first. Rows stored before this migration keep their old
--   cert_status (the chain is not stored, so it cannot be judged again) and
--   have NULL in the new columns.
ALTER TABLE observations MODIFY COLUMN IF EXISTS outcome Enum8('connect-refused' = 1, 'connect-timeout' = 2, 'connect-error' = 3, 'no-banner' = 4, 'not-smtp' = 5, 'smtp-rejected' = 6, 'ehlo-failed' = 7, 'no-starttls' = 8, 'starttls-stripped' = 9, 'starttls-refused' = 10, 'tls-failed' = 11, 'tls-ok' = 12, 'timeout' = 13);
ALTER TABLE observations ADD COLUMN IF NOT EXISTS server_name Nullable(String) CODEC(ZSTD(1)) AFTER port;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS strip_evidence Nullable(Enum8('direct' = 1, 'circumstantial' = 2)) AFTER fingerprints;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS cert_validity Nullable(Enum8('current' = 1, 'expired' = 2, 'not-yet-valid' = 3)) AFTER cert_status;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS cert_name_matches Nullable(Bool) AFTER cert_name_matches_banner;

-- The daily rollup gains the evidence grade as the last key column (a new
-- column may join the sorting key only in the ALTER that adds it). Rows rolled
-- up before this migration have '' there, as do all outcomes but stripped.
ALTER TABLE observations_daily ADD COLUMN IF NOT EXISTS strip_evidence LowCardinality(String), MODIFY ORDER BY (campaign, day, outcome, fingerprint, port, vantage, asn, country, strip_evidence);
DROP VIEW IF EXISTS observations_daily_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS observations_daily_v2_mv TO observations_daily AS
SELECT
    toDate(ts) AS day,
    campaign,
    vantage,
    toString(outcome) AS outcome,
    fingerprint,
    port,
    asn,
    country,
    ifNull(toString(strip_evidence), '') AS strip_evidence,
    uniqExactState(ip) AS hosts,
    toUInt64(count()) AS probes
FROM observations
ARRAY JOIN if(empty(fingerprints), [''], arrayMap(f -> toString(f), fingerprints)) AS fingerprint
GROUP BY day, campaign, vantage, outcome, fingerprint, port, asn, country, strip_evidence;

ALTER TABLE host_latest ADD COLUMN IF NOT EXISTS strip_evidence LowCardinality(Nullable(String)) AFTER fingerprints;
DROP VIEW IF EXISTS host_latest_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS host_latest_v2_mv TO host_latest AS
SELECT
    ip,
    port,
    ts,
    campaign,
    vantage,
    toString(outcome) AS outcome,
    arrayMap(f -> toString(f), fingerprints) AS fingerprints,
    CAST(strip_evidence, 'Nullable(String)') AS strip_evidence,
    starttls_advertised,
    tls_version,
    CAST(cert_status, 'Nullable(String)') AS cert_status,
    cert_sha256,
    banner,
    asn,
    country
FROM observations;

-- Time the scan held back new probes because its own event loop lagged (the
-- overload guard): a job with a large figure ran on a starved machine.
ALTER TABLE job_stats ADD COLUMN IF NOT EXISTS held_ms UInt64 AFTER connect_timeouts;
