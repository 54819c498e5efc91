-- IP-to-ASN enrichment. One data set is active at a time: `stripscan asn load`
-- replaces asn_prefixes and reloads the dictionary; asn_datasets keeps the
-- history of what was loaded (name, date, format, size).
-- Ranges from ip2asn are cut into CIDR prefixes at load time so both formats
-- share one ip_trie dictionary (most specific prefix wins).
CREATE TABLE IF NOT EXISTS asn_prefixes
(
    prefix String,
    asn UInt32,
    country LowCardinality(String),
    dataset LowCardinality(String)
)
ENGINE = MergeTree
ORDER BY prefix;

CREATE TABLE IF NOT EXISTS asn_datasets
(
    name String,
    date Date,
    format LowCardinality(String),
    source_file String,
    prefixes UInt64,
    loaded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY (loaded_at, name);

-- LIFETIME(0): never reloaded on a timer; the loader runs SYSTEM RELOAD after
-- replacing the prefixes, so enrichment changes exactly when a data set is loaded.
CREATE DICTIONARY IF NOT EXISTS asn_trie
(
    prefix String,
    asn UInt32,
    country String,
    dataset String
)
PRIMARY KEY prefix
SOURCE(CLICKHOUSE(TABLE 'asn_prefixes'))
LAYOUT(IP_TRIE)
LIFETIME(0);
