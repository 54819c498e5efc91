-- Stripped hosts per ASN, with the ASN's SMTP responders (campaign)
SELECT asn,
       uniqExactIf(ip, outcome = 'starttls-stripped') AS stripped_hosts,
       uniqExact(ip) AS smtp_hosts,
       round(100 * stripped_hosts / smtp_hosts, 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String} AND outcome NOT IN ('connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp')
GROUP BY asn HAVING stripped_hosts > 0 ORDER BY stripped_hosts DESC;
