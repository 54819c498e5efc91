-- Stripped hosts by evidence grade, with the share of SMTP hosts (campaign): count direct evidence alone, or both
SELECT ifNull(toString(strip_evidence), '(none)') AS strip_evidence,
       uniqExact(ip) AS stripped_hosts,
       (SELECT uniqExactIf(ip, is_smtp_host) FROM observations WHERE campaign = {campaign:String}) AS smtp_hosts,
       round(100 * stripped_hosts / greatest(smtp_hosts, 1), 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String} AND is_stripped
GROUP BY strip_evidence ORDER BY strip_evidence;
