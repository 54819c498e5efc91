-- Broken promises (stripscan domains): MX addresses violating their domain's policy, by policy source, outcome and fingerprint; preload-only rows apart (campaign)
SELECT toString(policy_source) AS policy_source,
       toString(verdict) AS verdict,
       ifNull(outcome, '') AS outcome,
       fingerprint,
       count() AS mx_addresses,
       uniqExact(domain) AS domains,
       uniqExact(ip) AS hosts
FROM domain_policies
ARRAY JOIN if(empty(fingerprints), [''], arrayMap(f -> toString(f), fingerprints)) AS fingerprint
WHERE campaign = {campaign:String} AND verdict IN ('policy-violated', 'policy-testing-violated')
GROUP BY policy_source, verdict, outcome, fingerprint
ORDER BY mx_addresses DESC;
