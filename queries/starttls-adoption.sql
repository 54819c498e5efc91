-- STARTTLS adoption among SMTP responders: advertised, completed with TLS (campaign)
SELECT uniqExact(ip) AS smtp_hosts,
       uniqExactIf(ip, starttls_advertised) AS advertised,
       uniqExactIf(ip, outcome = 'tls-ok') AS tls_ok,
       round(100 * tls_ok / greatest(smtp_hosts, 1), 3) AS tls_ok_pct
FROM observations
WHERE campaign = {campaign:String} AND outcome NOT IN ('connect-refused', 'connect-timeout', 'connect-error', 'no-banner', 'not-smtp');
