-- TLS hosts of an earlier campaign that answered a later one without completing TLS (before, after); outcome_after says how
SELECT host, port,
       argMaxIf(toString(outcome), ts, campaign = {after:String}) AS outcome_after,
       argMaxIf(asn, ts, campaign = {after:String}) AS asn
FROM observations
WHERE campaign IN ({before:String}, {after:String})
GROUP BY ip, host, port
HAVING countIf(campaign = {before:String} AND is_tls_host) > 0
   AND countIf(campaign = {after:String}) > 0
   AND countIf(campaign = {after:String} AND is_tls_host) = 0
ORDER BY ip, port;
