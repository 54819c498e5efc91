-- Daily rollup: distinct hosts and probe count per day × campaign × vantage ×
-- outcome × fingerprint × port × asn × country. A probe with several
-- fingerprints lands in several rows (one per fingerprint; '' for none), so sum
-- hosts across fingerprints only with fingerprint = '' or a single fingerprint.
-- uniqExact, not uniq: published numbers must equal the raw table's.
CREATE TABLE IF NOT EXISTS observations_daily
(
    day Date,
    campaign LowCardinality(String),
    vantage LowCardinality(String),
    outcome LowCardinality(String),
    fingerprint LowCardinality(String),
    port UInt16,
    asn UInt32,
    country LowCardinality(String),
    hosts AggregateFunction(uniqExact, IPv6),
    probes SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (campaign, day, outcome, fingerprint, port, vantage, asn, country)
SETTINGS non_replicated_deduplication_window = 100000;

CREATE MATERIALIZED VIEW IF NOT EXISTS observations_daily_mv TO observations_daily AS
SELECT
    toDate(ts) AS day,
    campaign,
    vantage,
    toString(outcome) AS outcome,
    fingerprint,
    port,
    asn,
    country,
    uniqExactState(ip) AS hosts,
    toUInt64(count()) AS probes
FROM observations
ARRAY JOIN if(empty(fingerprints), [''], arrayMap(f -> toString(f), fingerprints)) AS fingerprint
GROUP BY day, campaign, vantage, outcome, fingerprint, port, asn, country;

-- Latest observation per host and port, whatever the campaign or vantage.
-- ReplacingMergeTree collapses only when parts merge: read with FINAL.
CREATE TABLE IF NOT EXISTS host_latest
(
    ip IPv6,
    port UInt16,
    ts DateTime64(3, 'UTC'),
    campaign LowCardinality(String),
    vantage LowCardinality(String),
    outcome LowCardinality(String),
    fingerprints Array(LowCardinality(String)),
    starttls_advertised Bool,
    tls_version LowCardinality(Nullable(String)),
    cert_status LowCardinality(Nullable(String)),
    cert_sha256 Nullable(String),
    banner Nullable(String),
    asn UInt32,
    country LowCardinality(String)
)
ENGINE = ReplacingMergeTree(ts)
ORDER BY (ip, port)
SETTINGS non_replicated_deduplication_window = 100000;

CREATE MATERIALIZED VIEW IF NOT EXISTS host_latest_mv TO host_latest AS
SELECT
    ip,
    port,
    ts,
    campaign,
    vantage,
    toString(outcome) AS outcome,
    arrayMap(f -> toString(f), fingerprints) AS fingerprints,
    starttls_advertised,
    tls_version,
    CAST(cert_status, 'Nullable(String)') AS cert_status,
    cert_sha256,
    banner,
    asn,
    country
FROM observations;
