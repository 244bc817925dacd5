-- The audit log: one row per audited action, chained by hash (docs/security.md, "Audit log").
-- seq is given by the writer, head + 1 under an advisory lock, not by an identity: an identity leaves a hole for every
-- rolled-back insert, and a hole must mean a deleted entry.
CREATE TABLE audit_entry (
    seq         bigint PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_kind  text NOT NULL,
    actor_id    text,
    actor_name  text,
    actor_role  text,
    address     text,
    request_id  text,
    action      text NOT NULL,
    target_type text NOT NULL,
    target_id   text,
    target_tags text[] NOT NULL DEFAULT '{}',
    outcome     text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}',
    prev_hash   text NOT NULL,
    hash        text NOT NULL
);

-- The listing's filters, newest first.
CREATE INDEX audit_entry_at ON audit_entry (at);
CREATE INDEX audit_entry_actor ON audit_entry (actor_name, seq);
CREATE INDEX audit_entry_action ON audit_entry (action, seq);
CREATE INDEX audit_entry_target ON audit_entry (target_type, target_id, seq);
CREATE INDEX audit_entry_target_tags ON audit_entry USING gin (target_tags);

-- The highest seq the retention purge of this transaction may delete, set only by that purge (set_config(..., true),
-- so it ends with the transaction); 0 when unset.
CREATE FUNCTION audit_purge_through() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('omnii.audit_purge', true), '')::bigint, 0)
$$;

-- Entries are never changed, and deleted only by the retention purge, only up to the seq it set.
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.seq <= audit_purge_through() THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'only the retention purge deletes, and only a whole prefix of the chain';
END
$$;

-- What the purge deletes is a whole prefix: after its statement, nothing at or below its seq is left.
CREATE FUNCTION audit_entry_whole_prefix() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_entry WHERE seq <= audit_purge_through()) THEN
        RAISE EXCEPTION 'the audit retention purge deletes a whole prefix of the chain'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_whole_prefix AFTER DELETE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_whole_prefix();
