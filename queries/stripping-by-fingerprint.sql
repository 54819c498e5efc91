-- Hosts per fingerprint and outcome (campaign); a host with two fingerprints counts under each
SELECT fingerprint, outcome, uniqExactMerge(hosts) AS hosts, sum(probes) AS probes
FROM observations_daily
WHERE campaign = {campaign:String} AND fingerprint != ''
GROUP BY fingerprint, outcome ORDER BY hosts DESC;
