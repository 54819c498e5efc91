-- Verdicts of domains' MX addresses against their policies (stripscan domains), by governing policy source and mode (campaign)
SELECT toString(policy_source) AS policy_source,
       policy_mode,
       toString(verdict) AS verdict,
       count() AS mx_addresses,
       uniqExact(domain) AS domains
FROM domain_policies
WHERE campaign = {campaign:String}
GROUP BY policy_source, policy_mode, verdict
ORDER BY policy_source, policy_mode, verdict;
