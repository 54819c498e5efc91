-- Negotiated TLS versions (campaign)
SELECT tls_version, uniqExact(ip) AS hosts
FROM observations
WHERE campaign = {campaign:String} AND tls_version IS NOT NULL
GROUP BY tls_version ORDER BY hosts DESC;
