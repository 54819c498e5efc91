-- Stripping prevalence per day: stripped hosts among SMTP hosts (campaign)
SELECT toDate(ts) AS day,
       uniqExactIf(ip, is_stripped) AS stripped_hosts,
       uniqExactIf(ip, is_smtp_host) AS smtp_hosts,
       round(100 * stripped_hosts / greatest(smtp_hosts, 1), 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String}
GROUP BY day ORDER BY day;
