-- Campaign parameters; upserted on start and end (latest updated_at wins: read with FINAL).
CREATE TABLE IF NOT EXISTS campaigns
(
    campaign String,
    params String CODEC(ZSTD(3)),
    seed String,
    ehlo_name String,
    contact String,
    started_at DateTime64(3, 'UTC'),
    ended_at Nullable(DateTime64(3, 'UTC')),
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY campaign;

-- Per-job statistics. Non-responsive addresses are counted here, not stored as
-- observation rows. A job re-run after a crash reports again: the latest report
-- replaces the earlier one (read with FINAL).
CREATE TABLE IF NOT EXISTS job_stats
(
    campaign LowCardinality(String),
    job String,
    vantage LowCardinality(String),
    attempted UInt64,
    responsive UInt64,
    connect_timeouts UInt64,
    outcome_counts Map(LowCardinality(String), UInt64),
    started_at DateTime64(3, 'UTC'),
    finished_at DateTime64(3, 'UTC'),
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(recorded_at)
ORDER BY (campaign, job, vantage);
