-- A scoped GET /audit shows the entries of its tags or its own actor ((actor_kind, actor_id)): with this index the
-- OR becomes a bitmap OR of the GIN tags index and this one, instead of a walk of the whole table.
CREATE INDEX audit_entry_actor_id ON audit_entry (actor_kind, actor_id, seq);
