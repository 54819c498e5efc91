-- STARTTLS adoption among SMTP hosts: advertised, TLS hosts (handshake completed), outcome tls-ok, stripped (campaign)
SELECT uniqExact(ip) AS smtp_hosts,
       uniqExactIf(ip, starttls_advertised) AS advertised,
       uniqExactIf(ip, is_tls_host) AS tls_hosts,
       uniqExactIf(ip, outcome = 'tls-ok') AS tls_ok,
       uniqExactIf(ip, is_stripped) AS stripped_hosts,
       round(100 * tls_hosts / greatest(smtp_hosts, 1), 3) AS tls_hosts_pct
FROM observations
WHERE campaign = {campaign:String} AND is_smtp_host;
