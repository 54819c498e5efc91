-- One definition of the words every figure counts (docs/schema.md, "Definitions"):
-- saved queries, dashboard panels and the report all read these columns, so
-- "SMTP hosts", "TLS hosts" and "stripped" cannot drift apart again.
--
-- ALIAS columns, not SQL functions or views: an ALIAS is computed when read
-- (no storage, no backfill: rows stored before this migration get it too),
-- belongs to its table's database (CREATE FUNCTION is server-wide, so two
-- stores on one server would share, and fight over, one definition), needs no
-- grant beyond SELECT (Grafana's read-only user), and stays out of `SELECT *`,
-- so exports and the record round trip are unchanged.
--
-- * host: the address as text, IPv4 as a dotted quad (`127.16.0.5`, not
--   `::ffff:127.16.0.5`); IPv6 as ClickHouse writes it. Count with `ip`, show `host`.
-- * is_smtp_host: the probe reached SMTP — its outcome is one of SMTP_OUTCOMES
--   in src/record.ts (a banner arrived; `timeout` always follows one).
-- * is_tls_host: an SMTP host whose TLS handshake completed (tls_version is set
--   exactly then), whatever the certificate and whatever the outcome: tls-ok
--   with any cert_status, and a starttls-stripped host whose hidden STARTTLS
--   was accepted when sent anyway.
-- * is_stripped: outcome starttls-stripped (strip_evidence grades it).
-- A host is an address (`ip`): a figure counts distinct addresses among the
-- rows it selects, so a host counts as TLS (or stripped) in a campaign when any
-- of its observations there is, from whichever vantage.
-- test/store/definitions.test.ts checks the outcome list against src/record.ts.
ALTER TABLE observations ADD COLUMN IF NOT EXISTS host String ALIAS replaceRegexpOne(toString(ip), '^::ffff:(\\d+\\.\\d+\\.\\d+\\.\\d+)$', '\\1');
ALTER TABLE observations ADD COLUMN IF NOT EXISTS is_smtp_host Bool ALIAS outcome IN ('smtp-rejected', 'ehlo-failed', 'no-starttls', 'starttls-stripped', 'starttls-refused', 'tls-failed', 'tls-ok', 'timeout');
ALTER TABLE observations ADD COLUMN IF NOT EXISTS is_tls_host Bool ALIAS is_smtp_host AND tls_version IS NOT NULL;
ALTER TABLE observations ADD COLUMN IF NOT EXISTS is_stripped Bool ALIAS outcome = 'starttls-stripped';

-- The daily rollup keeps the outcome, not the TLS facts: it can say SMTP host
-- and stripped, and figures about TLS hosts read observations.
ALTER TABLE observations_daily ADD COLUMN IF NOT EXISTS is_smtp_host Bool ALIAS outcome IN ('smtp-rejected', 'ehlo-failed', 'no-starttls', 'starttls-stripped', 'starttls-refused', 'tls-failed', 'tls-ok', 'timeout');
ALTER TABLE observations_daily ADD COLUMN IF NOT EXISTS is_stripped Bool ALIAS outcome = 'starttls-stripped';

ALTER TABLE host_latest ADD COLUMN IF NOT EXISTS host String ALIAS replaceRegexpOne(toString(ip), '^::ffff:(\\d+\\.\\d+\\.\\d+\\.\\d+)$', '\\1');
ALTER TABLE host_latest ADD COLUMN IF NOT EXISTS is_smtp_host Bool ALIAS outcome IN ('smtp-rejected', 'ehlo-failed', 'no-starttls', 'starttls-stripped', 'starttls-refused', 'tls-failed', 'tls-ok', 'timeout');
ALTER TABLE host_latest ADD COLUMN IF NOT EXISTS is_tls_host Bool ALIAS is_smtp_host AND tls_version IS NOT NULL;
ALTER TABLE host_latest ADD COLUMN IF NOT EXISTS is_stripped Bool ALIAS outcome = 'starttls-stripped';

-- The MX addresses `stripscan domains` probed (NULL where no address was had).
ALTER TABLE domain_policies ADD COLUMN IF NOT EXISTS host Nullable(String) ALIAS replaceRegexpOne(toString(ip), '^::ffff:(\\d+\\.\\d+\\.\\d+\\.\\d+)$', '\\1');
