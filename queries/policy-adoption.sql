-- Policy adoption over time (stripscan domains): per day and campaign, domains with an MX and how many publish MTA-STS (enforce, testing), DANE, TLS-RPT or sit on the preload list
SELECT toDate(d.ts) AS day,
       d.campaign AS campaign,
       count() AS domains_with_mx,
       countIf(d.mta_sts_mode = 'enforce') AS mta_sts_enforce,
       countIf(d.mta_sts_mode = 'testing') AS mta_sts_testing,
       countIf(d.mta_sts_status NOT IN ('none', 'ok')) AS mta_sts_broken,
       countIf(p.dane = 1) AS dane,
       countIf(d.tlsrpt_status = 'ok') AS tls_rpt,
       countIf(d.preload_mode IS NOT NULL) AS preload_list
FROM domains AS d
LEFT JOIN (
    SELECT campaign, domain, max(dane_status IN ('usable', 'no-usable-records')) AS dane
    FROM domain_policies
    GROUP BY campaign, domain
) AS p ON p.campaign = d.campaign AND p.domain = d.domain
WHERE d.mx_status IN ('mx', 'implicit')
GROUP BY day, campaign
ORDER BY day, campaign;
