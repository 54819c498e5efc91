-- Certificate status of TLS hosts: the handshake completed, whatever the outcome (campaign); a host seen with two statuses counts under each
SELECT ifNull(toString(cert_status), '(no certificate)') AS cert_status, uniqExact(ip) AS hosts
FROM observations
WHERE campaign = {campaign:String} AND is_tls_host
GROUP BY cert_status ORDER BY hosts DESC, cert_status;
