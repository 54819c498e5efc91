-- Probes that ran out of time after the banner, by the step that was waiting (campaign): ours to explain, not refusals
SELECT toString(error_stage) AS stage, uniqExact(ip) AS hosts, max(duration_ms) AS longest_ms
FROM observations
WHERE campaign = {campaign:String} AND outcome = 'timeout'
GROUP BY stage ORDER BY hosts DESC, stage;
