-- Disagreement between vantage points as data (docs/schema.md, "Vantage
-- comparison"). A materialized view sees only the rows of its own insert, and
-- two vantages' rows of one host arrive in different inserts (often from
-- different writers), so the comparison is a plain VIEW read at query time:
-- filtered by campaign it reads that campaign's range of observations, whose
-- sort key begins with (campaign, ip, port).

-- Addresses a vantage could not connect to are not observation rows (they are
-- counted in job_stats): `unreachable` names that count per job and vantage.
-- ALIAS, computed on read: every writer, old rows and spooled rows included,
-- already fills attempted and responsive, so nothing else changes.
ALTER TABLE job_stats ADD COLUMN IF NOT EXISTS unreachable UInt64 ALIAS attempted - responsive AFTER responsive;

-- Per campaign and vantage: how many addresses it tried and could not reach
-- (connect refused / timed out / failed), or reached without an answer to the
-- STARTTLS question (no banner, timeout after the banner). Hosts unanswered
-- from one vantage are `inconclusive` in vantage_comparison; these counts say
-- whether a vantage was simply worse placed.
CREATE VIEW IF NOT EXISTS vantage_reach AS
SELECT
    campaign,
    vantage,
    count() AS jobs,
    sum(attempted) AS attempted,
    sum(responsive) AS responsive,
    sum(unreachable) AS unreachable,
    sum(outcome_counts['connect-refused']) AS connect_refused,
    sum(connect_timeouts) AS connect_timeouts,
    sum(outcome_counts['connect-error']) AS connect_errors,
    sum(outcome_counts['no-banner']) AS no_banner,
    sum(outcome_counts['timeout']) AS timeouts
FROM job_stats FINAL
GROUP BY campaign, vantage;

-- One row per campaign and host (ip, port) of every campaign seen from two or
-- more vantages: each vantage's latest observation, side by side.
--   vantages      every vantage of the campaign (job_stats and observations), sorted
--   outcomes      aligned with vantages; 'no-record' where that vantage has no row
--                 for the host (its connect failed — counted in job_stats — or it
--                 never probed the host)
--   verdict       'inconclusive'   some vantage got no answer to the STARTTLS
--                                  question (no-record, no-banner, not-smtp,
--                                  smtp-rejected, ehlo-failed, timeout), or the
--                                  answers differ and no vantage negotiated TLS;
--                 'path-dependent' every vantage answered, some negotiated TLS
--                                  (tls-ok) and some did not (no-starttls,
--                                  starttls-stripped, starttls-refused, tls-failed);
--                 'consistent'     every vantage answered with the same outcome
--                                  (a different certificate does not count: see
--                                  certs_differ)
CREATE VIEW IF NOT EXISTS vantage_comparison AS
SELECT
    campaign,
    ip,
    host,
    port,
    multiIf(
        hasAny(outcomes, ['no-record', 'connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp', 'smtp-rejected', 'ehlo-failed', 'timeout']), 'inconclusive',
        has(outcomes, 'tls-ok') AND arrayExists(o -> o != 'tls-ok', outcomes), 'path-dependent',
        length(arrayDistinct(outcomes)) = 1, 'consistent',
        'inconclusive') AS verdict,
    all_vantages AS vantages,
    arrayMap(v -> if(has(seen, v), seen_outcomes[indexOf(seen, v)], 'no-record'), all_vantages) AS outcomes,
    arrayFilter((v, o) -> o = 'tls-ok', all_vantages, outcomes) AS tls_vantages,
    arrayFilter((v, o) -> o NOT IN ('tls-ok', 'no-starttls', 'starttls-stripped', 'starttls-refused', 'tls-failed'), all_vantages, outcomes) AS unanswered_vantages,
    arrayMap(v -> if(has(seen, v), seen_fingerprints[indexOf(seen, v)], []), all_vantages) AS fingerprints,
    arrayMap(v -> if(has(seen, v), seen_evidence[indexOf(seen, v)], ''), all_vantages) AS strip_evidence,
    arrayMap(v -> if(has(seen, v), seen_cert_status[indexOf(seen, v)], ''), all_vantages) AS cert_status,
    arrayMap(v -> if(has(seen, v), seen_cert_sha256[indexOf(seen, v)], ''), all_vantages) AS cert_sha256,
    length(arrayDistinct(arrayFilter(c -> c != '', cert_sha256))) > 1 AS certs_differ,
    arrayMap(v -> if(has(seen, v), seen_ts[indexOf(seen, v)], toDateTime64(0, 3, 'UTC')), all_vantages) AS ts
FROM
(
    -- Per host: the vantages that have a row, each with its latest observation.
    SELECT
        campaign,
        ip,
        any(host) AS host,
        port,
        groupArray(vantage) AS seen,
        groupArray(latest.1) AS seen_outcomes,
        groupArray(latest.2) AS seen_fingerprints,
        groupArray(latest.3) AS seen_evidence,
        groupArray(latest.4) AS seen_cert_status,
        groupArray(latest.5) AS seen_cert_sha256,
        groupArray(last_ts) AS seen_ts
    FROM
    (
        SELECT
            campaign,
            ip,
            -- The shared dotted-quad text (migration 0009's ALIAS), not spelled again here.
            any(host) AS host,
            port,
            vantage,
            argMax(
                (toString(outcome), arrayMap(f -> toString(f), fingerprints), ifNull(toString(strip_evidence), ''),
                 ifNull(toString(cert_status), ''), ifNull(cert_sha256, '')),
                ts) AS latest,
            max(ts) AS last_ts
        FROM observations
        GROUP BY campaign, ip, port, vantage
    )
    GROUP BY campaign, ip, port
) AS hosts
INNER JOIN
(
    -- Per campaign: every vantage that reported a job or stored a row.
    SELECT campaign, arraySort(groupUniqArray(vantage)) AS all_vantages
    FROM
    (
        SELECT campaign, vantage FROM job_stats FINAL
        UNION ALL
        SELECT DISTINCT campaign, vantage FROM observations
    )
    GROUP BY campaign
    HAVING length(all_vantages) >= 2
) AS campaign_vantages USING (campaign);

-- Campaigns over the same target set and port, in the order they started:
-- what "consecutive campaigns" means for outcome transitions
-- (queries/outcome-transitions.sql). The target set is named by its
-- parameters as the campaign stored them, not by the addresses: a hash of the
-- targets as given (a local scan's target arguments and --targets-file path; a
-- distributed campaign's specs, blocklists and allowlist), so the same command
-- line twice is the same set, and a target file edited in between is not told
-- apart. Campaigns whose parameters name no targets (rows older than their
-- parameters, domain runs) get no lineage.
CREATE VIEW IF NOT EXISTS campaign_lineage AS
SELECT
    campaign,
    started_at,
    port,
    target_set,
    lagInFrame(campaign, 1, '') OVER (
        PARTITION BY target_set, port ORDER BY started_at, campaign
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS previous_campaign
FROM
(
    SELECT
        campaign,
        started_at,
        toUInt16(JSONExtractUInt(params, 'port')) AS port,
        lower(hex(sipHash128(
            JSONExtractRaw(params, 'targets'), JSONExtractRaw(params, 'targets_file'),
            JSONExtractRaw(params, 'specs'), JSONExtractRaw(params, 'blocklists'),
            JSONExtractRaw(params, 'allowlist')))) AS target_set
    FROM campaigns FINAL
    WHERE JSONHas(params, 'targets') OR JSONHas(params, 'targets_file') OR JSONHas(params, 'specs')
);
