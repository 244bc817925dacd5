-- A command still queued when its instance is decommissioned is cancelled (it could never be sent).
ALTER TABLE command DROP CONSTRAINT command_state_check;
ALTER TABLE command ADD CONSTRAINT command_state_check
    CHECK (state IN ('queued', 'sending', 'sent', 'completed', 'expired', 'timed_out', 'failed', 'cancelled'));
