-- Hosts that completed STARTTLS in an earlier campaign but not in a later one (before, after)
SELECT replaceRegexpOne(toString(ip), '^::ffff:', '') AS host, port,
       argMaxIf(toString(outcome), ts, campaign = {after:String}) AS outcome_after,
       argMaxIf(asn, ts, campaign = {after:String}) AS asn
FROM observations
WHERE campaign IN ({before:String}, {after:String})
GROUP BY ip, port
HAVING countIf(campaign = {before:String} AND outcome = 'tls-ok') > 0
   AND countIf(campaign = {after:String}) > 0
   AND countIf(campaign = {after:String} AND outcome = 'tls-ok') = 0
ORDER BY ip, port;
