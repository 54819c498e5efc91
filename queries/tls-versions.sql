-- Negotiated TLS versions of TLS hosts: the handshake completed, whatever the outcome (campaign)
SELECT tls_version, uniqExact(ip) AS hosts
FROM observations
WHERE campaign = {campaign:String} AND is_tls_host
GROUP BY tls_version ORDER BY hosts DESC, tls_version;
