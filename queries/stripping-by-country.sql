-- Stripped hosts per country, with the country's SMTP responders (campaign)
SELECT country,
       uniqExactIf(ip, outcome = 'starttls-stripped') AS stripped_hosts,
       uniqExact(ip) AS smtp_hosts,
       round(100 * stripped_hosts / smtp_hosts, 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String} AND outcome NOT IN ('connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp')
GROUP BY country ORDER BY stripped_hosts DESC;
