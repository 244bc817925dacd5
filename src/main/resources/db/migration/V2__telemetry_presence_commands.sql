-- Latest telemetry on the instance itself, and the payload timestamps that order what an instance reports.
ALTER TABLE instance
    ADD COLUMN last_report_at      timestamptz,
    ADD COLUMN uptime_seconds      bigint,
    ADD COLUMN stability_score     double precision,
    ADD COLUMN core_version        varchar(100),
    ADD COLUMN supervisor_version  varchar(100),
    ADD COLUMN os_version          varchar(100),
    ADD COLUMN total_devices       integer,
    ADD COLUMN total_entities      integer,
    ADD COLUMN pending_updates     integer;

-- The presence sweep looks for online instances not heard from lately.
CREATE INDEX instance_presence_idx ON instance (last_seen_at) WHERE status IN ('online', 'error');

-- Every status transition, with why it happened.
CREATE TABLE instance_event (
    id           bigserial    PRIMARY KEY,
    instance_id  uuid         NOT NULL REFERENCES instance (id),
    at           timestamptz  NOT NULL,
    from_status  varchar(20),
    to_status    varchar(20)  NOT NULL,
    reason       varchar(30)  NOT NULL
);
CREATE INDEX instance_event_instance_idx ON instance_event (instance_id, at DESC, id DESC);

-- Metrics history. The instance's own timestamp is part of the key, so a redelivered message adds nothing.
CREATE TABLE metrics_sample (
    instance_id         uuid             NOT NULL REFERENCES instance (id),
    reported_at         timestamptz      NOT NULL,
    received_at         timestamptz      NOT NULL,
    uptime_seconds      bigint,
    version             varchar(100),
    stability_score     double precision,
    core_version        varchar(100),
    supervisor_version  varchar(100),
    os_version          varchar(100),
    total_devices       integer,
    total_entities      integer,
    pending_updates     integer,
    metadata            jsonb,
    PRIMARY KEY (instance_id, reported_at)
);
CREATE INDEX metrics_sample_received_idx ON metrics_sample (received_at);

-- Commands to instances, one row per instance, optionally grouped in a bulk batch.
CREATE TABLE command_batch (
    id          uuid         PRIMARY KEY,
    command     varchar(20)  NOT NULL,
    target      jsonb        NOT NULL,
    created_at  timestamptz  NOT NULL,
    total       integer      NOT NULL
);

CREATE TABLE command (
    id            uuid         PRIMARY KEY,
    instance_id   uuid         NOT NULL REFERENCES instance (id),
    batch_id      uuid         REFERENCES command_batch (id),
    command       varchar(20)  NOT NULL,
    payload       jsonb        NOT NULL,
    state         varchar(20)  NOT NULL,
    created_at    timestamptz  NOT NULL,
    expires_at    timestamptz  NOT NULL,
    updated_at    timestamptz  NOT NULL,
    sent_at       timestamptz,
    completed_at  timestamptz,
    attempts      integer      NOT NULL DEFAULT 0,
    error         varchar(500),
    CONSTRAINT command_state_check
        CHECK (state IN ('queued', 'sending', 'sent', 'completed', 'expired', 'timed_out', 'failed'))
);
CREATE INDEX command_instance_idx ON command (instance_id, created_at DESC, id);
CREATE INDEX command_batch_idx ON command (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX command_open_idx ON command (state, instance_id) WHERE state IN ('queued', 'sending', 'sent');
