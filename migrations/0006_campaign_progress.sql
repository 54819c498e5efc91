-- A campaign's state, progress and end, so that a report can say how complete
-- a campaign is (docs/schema.md). The local scan writes them at start and end;
-- the stream writer mirrors a distributed campaign's Redis record on a timer
-- and at its end. `state` is free text, not an Enum: the queue may learn a new
-- state (e.g. done-with-failures) without a migration here. `counters` keeps
-- every counter of the Redis record as it was (attempted, o:<outcome>, …),
-- including ones added later. Rows written before this migration have state ''
-- and zero progress ("unknown" in the report).
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS state LowCardinality(String) AFTER contact;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS addresses_total UInt64 AFTER state;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS chunks_total UInt64 AFTER addresses_total;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS chunks_done UInt64 AFTER chunks_total;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS chunks_failed UInt64 AFTER chunks_done;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS attempted UInt64 AFTER chunks_failed;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS responsive UInt64 AFTER attempted;
ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS counters Map(LowCardinality(String), UInt64) AFTER responsive;
