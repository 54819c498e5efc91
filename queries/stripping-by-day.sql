-- Stripping prevalence per day: hosts with STARTTLS stripped among SMTP responders (campaign)
SELECT toDate(ts) AS day,
       uniqExactIf(ip, outcome = 'starttls-stripped') AS stripped_hosts,
       uniqExactIf(ip, outcome NOT IN ('connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp')) AS smtp_hosts,
       round(100 * stripped_hosts / greatest(smtp_hosts, 1), 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String}
GROUP BY day ORDER BY day;
