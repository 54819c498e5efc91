-- Stripped hosts per ASN, with the ASN's SMTP hosts (campaign)
SELECT asn,
       uniqExactIf(ip, is_stripped) AS stripped_hosts,
       uniqExact(ip) AS smtp_hosts,
       round(100 * stripped_hosts / smtp_hosts, 3) AS stripped_pct
FROM observations
WHERE campaign = {campaign:String} AND is_smtp_host
GROUP BY asn HAVING stripped_hosts > 0 ORDER BY stripped_hosts DESC, asn;
