-- Which replica incarnation claimed a command for sending: a claim whose replica is gone (its row in replica no
-- longer renewed within the lease) is released by the next sweep at once, instead of after the 60 s fallback that
-- remains for a live replica's stuck claim. NULL for commands claimed before this column existed.
ALTER TABLE command ADD COLUMN claimed_by uuid;
