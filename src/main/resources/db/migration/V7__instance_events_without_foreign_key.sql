-- When the presence sweep turns a whole fleet offline at once (the broker or the network gone for a minute and a
-- half), it writes one instance_event per instance in one statement, and the foreign key checked each of them with a
-- lookup and a row lock on instance: about half of the sweep's time at 100,000 instances (docs/performance.md).
-- Instances are never deleted (decommissioning keeps the row as history), and events are written only by code that
-- has just created or locked their instance's row, so the check guarded nothing that can happen.
ALTER TABLE instance_event DROP CONSTRAINT instance_event_instance_id_fkey;
