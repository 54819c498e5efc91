-- Stripped hosts by evidence grade, with the share of SMTP responders (campaign): count direct evidence alone, or both
SELECT ifNull(toString(strip_evidence), '(none)') AS strip_evidence,
       uniqExact(ip) AS stripped_hosts,
       (SELECT uniqExact(ip) FROM observations
        WHERE campaign = {campaign:String} AND outcome NOT IN ('connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp')) AS smtp_hosts,
       round(100 * stripped_hosts / greatest(smtp_hosts, 1), 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String} AND outcome = 'starttls-stripped'
GROUP BY strip_evidence ORDER BY strip_evidence;
