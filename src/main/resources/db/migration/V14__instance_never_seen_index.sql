-- The instances never heard from (no status or heartbeat yet): the console's "never seen" count and filter
-- (status offline, last_seen_at null, in enrollment order) read them through this index instead of every row.
-- Few in a running fleet; all of them in a fleet just enrolled.
CREATE INDEX instance_never_seen_idx ON instance (status, enrolled_at, id) WHERE last_seen_at IS NULL;
