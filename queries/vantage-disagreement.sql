-- Path-dependent hosts: STARTTLS negotiated from some vantage points and absent, masked, refused or failing from others, with what each saw (campaign)
SELECT host, port,
       arrayStringConcat(tls_vantages, ', ') AS negotiated_from,
       arrayStringConcat(arrayMap((v, o, e) -> concat(v, ': ', o, if(e = '', '', concat(' (', e, ')'))),
                                  vantages, outcomes, strip_evidence), ', ') AS seen,
       vantages, outcomes, fingerprints, strip_evidence
FROM vantage_comparison
WHERE campaign = {campaign:String} AND verdict = 'path-dependent'
ORDER BY ip, port;
