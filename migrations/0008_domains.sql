-- `stripscan domains`: what each domain promised about STARTTLS, and the
-- verdict of each of its MX addresses against that promise (docs/domains.md).
-- Vocabularies equal the arrays in src/policy/verdict.ts and src/domains/
-- (test/domains/domain-schema.test.ts).

-- One row per domain and run: its MX answer, MTA-STS, TLS-RPT and preload
-- entry, and every DNS answer used (dns_lookups: JSON, with TTLs and AD bits).
-- ORDER BY (campaign, domain, ts): reports read one campaign; a domain's
-- history across campaigns reads with domain in the WHERE.
CREATE TABLE IF NOT EXISTS domains
(
    campaign LowCardinality(String),
    vantage LowCardinality(String),
    ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    domain String,
    resolver LowCardinality(String),
    mx_status Enum8('mx' = 1, 'implicit' = 2, 'null-mx' = 3, 'nxdomain' = 4, 'servfail' = 5, 'refused' = 6, 'timeout' = 7, 'error' = 8),
    mx_ad Bool,
    mx_ttl Nullable(UInt32),
    mx_hosts Array(String),
    mx_preferences Array(UInt16),
    mx_skipped Array(String),
    mta_sts_status Enum8('none' = 1, 'ok' = 2, 'txt-lookup-failed' = 3, 'txt-malformed' = 4, 'txt-multiple' = 5, 'unreachable' = 6, 'tls-invalid' = 7, 'timeout' = 8, 'redirect' = 9, 'http-status' = 10, 'content-type' = 11, 'too-large' = 12, 'malformed' = 13),
    mta_sts_error Nullable(String) CODEC(ZSTD(1)),
    mta_sts_record Nullable(String) CODEC(ZSTD(1)),
    mta_sts_id Nullable(String),
    mta_sts_mode LowCardinality(Nullable(String)),
    mta_sts_mx Array(String),
    mta_sts_max_age Nullable(UInt32),
    mta_sts_policy Nullable(String) CODEC(ZSTD(3)),
    tlsrpt_status Enum8('none' = 1, 'ok' = 2, 'malformed' = 3, 'multiple' = 4, 'lookup-failed' = 5),
    tlsrpt_record Nullable(String) CODEC(ZSTD(1)),
    tlsrpt_rua Array(String),
    preload_mode LowCardinality(Nullable(String)),
    preload_mxs Array(String),
    preload_alias Nullable(String),
    dns_lookups String CODEC(ZSTD(3)),
    inserted_at DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (campaign, domain, ts);

-- One row per (domain, MX host, address): the governing policy, every
-- source's verdict, and the probe the verdict rests on — repeated here so
-- violations count without a join; the probe itself is the observations row
-- with the same campaign, ip, port, server_name = mx and ts = observed_at.
CREATE TABLE IF NOT EXISTS domain_policies
(
    campaign LowCardinality(String),
    vantage LowCardinality(String),
    ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    domain String,
    mx String,
    mx_preference UInt16,
    implicit_mx Bool,
    ip Nullable(IPv6),
    port UInt16,
    address_ad Bool,
    verdict Enum8('policy-ok' = 1, 'policy-violated' = 2, 'policy-testing-violated' = 3, 'no-policy' = 4, 'policy-error' = 5, 'policy-inconclusive' = 6),
    policy_source Enum8('dane' = 1, 'mta-sts' = 2, 'preload' = 3, 'none' = 4),
    policy_mode LowCardinality(String),
    sources Array(LowCardinality(String)),
    source_verdicts Map(LowCardinality(String), LowCardinality(String)),
    mx_matches Nullable(Bool),
    reasons Array(String),
    dane_status Enum8('none' = 1, 'insecure' = 2, 'usable' = 3, 'no-usable-records' = 4, 'bogus' = 5, 'error' = 6),
    tlsa_records Array(String) CODEC(ZSTD(3)),
    dane_match Nullable(String),
    observed_at Nullable(DateTime64(3, 'UTC')),
    outcome LowCardinality(Nullable(String)),
    fingerprints Array(LowCardinality(String)),
    strip_evidence LowCardinality(Nullable(String)),
    cert_status LowCardinality(Nullable(String)),
    cert_name_matches Nullable(Bool),
    cert_sha256 Nullable(String),
    inserted_at DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (campaign, domain, mx, ts);
