-- Certificate status of hosts that completed TLS (campaign)
SELECT cert_status, uniqExact(ip) AS hosts
FROM observations
WHERE campaign = {campaign:String} AND outcome = 'tls-ok'
GROUP BY cert_status ORDER BY hosts DESC;
