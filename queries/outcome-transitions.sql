-- Hosts whose outcome changed since the previous campaign over the same target set and port, seen from the same vantage (campaign)
WITH (SELECT any(previous_campaign) FROM campaign_lineage WHERE campaign = {campaign:String}) AS previous
SELECT host, port, vantage,
       previous AS previous_campaign,
       argMaxIf(toString(outcome), ts, campaign = previous) AS outcome_before,
       argMaxIf(toString(outcome), ts, campaign = {campaign:String}) AS outcome_after,
       concat(outcome_before, ' → ', outcome_after) AS transition
FROM observations
WHERE campaign IN (previous, {campaign:String}) AND previous != ''
GROUP BY ip, host, port, vantage
HAVING countIf(campaign = previous) > 0 AND countIf(campaign = {campaign:String}) > 0
   AND outcome_before != outcome_after
ORDER BY ip, port, vantage;
