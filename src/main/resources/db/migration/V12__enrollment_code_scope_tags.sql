-- The tags of the scope that made each code: the instance it enrolls carries them, and a scoped caller lists and
-- revokes only codes whose tags overlap its scope. Codes of unscoped callers, and all codes from before, have none.
-- No index: the listing reads codes in creation order through enrollment_code_created_idx and there are few of them.
ALTER TABLE enrollment_code ADD COLUMN tags text[] NOT NULL DEFAULT '{}';
