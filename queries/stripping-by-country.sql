-- Stripped hosts per country, with the country's SMTP hosts (campaign)
SELECT country,
       uniqExactIf(ip, is_stripped) AS stripped_hosts,
       uniqExact(ip) AS smtp_hosts,
       round(100 * stripped_hosts / smtp_hosts, 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String} AND is_smtp_host
GROUP BY country ORDER BY stripped_hosts DESC, country;
