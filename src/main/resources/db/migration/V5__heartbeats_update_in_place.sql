-- Heartbeats rewrite last_seen_at on every instance, 15,000 times a second and more for a large fleet, and the
-- presence sweep flips status for every instance that went quiet. While an index covers a column an update changes,
-- PostgreSQL writes a new entry into every index of the table (five here, one of them GIN) for each update. Without
-- such an index, and with room left on the row's page, it updates the row in place (a HOT update) and touches no
-- index at all. Measured in docs/performance.md.
--
-- The presence sweep now reads the whole table: 100,000 instances in tens of milliseconds, every 10 s. Filters on
-- status (GET /instances?status=..., counts by state, commands to every online instance) read the table or walk the
-- enrollment-order index: status has a handful of values, so that index rarely saved much.
DROP INDEX instance_presence_idx;
DROP INDEX instance_status_idx;

-- Half of each page free: room for every row's next version, even when the sweep turns the whole fleet offline in one
-- transaction (applies to pages written from now on; VACUUM FULL rewrites existing ones).
ALTER TABLE instance SET (fillfactor = 50);
