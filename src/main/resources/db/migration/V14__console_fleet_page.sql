-- The console's fleet page at 100,000 instances (docs/performance.md).
--
-- Search by name: "lower(name) LIKE '%...%'" read every row, twice (the page and its total): about 190 ms. A trigram
-- index answers it. Names change only on a rename, so heartbeats stay HOT updates (V5). pg_trgm is a trusted
-- extension: the database's owner may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX instance_name_trgm_idx ON instance USING gin (lower(name) gin_trgm_ops);

-- "Never seen" (offline, never heard from) is counted like the states, kept exact by the writer in the same
-- transaction: counting it needs last_seen_at, which every heartbeat rewrites, so no index may cover it (V5).
ALTER TABLE instance_count DROP CONSTRAINT instance_count_status_check;
ALTER TABLE instance_count ADD CONSTRAINT instance_count_status_check
    CHECK (status IN ('online', 'offline', 'error', 'decommissioned', 'never_seen'));
INSERT INTO instance_count (status, n)
SELECT 'never_seen', count(*) FROM instance WHERE status = 'offline' AND last_seen_at IS NULL;
