-- Enrolled Home Assistant instances. Later telemetry fills status, last_seen_at, version and the latest metrics.
CREATE TABLE instance (
    id                 uuid         PRIMARY KEY,
    name               varchar(200) NOT NULL,
    tags               text[]       NOT NULL DEFAULT '{}',
    mqtt_client_id     varchar(100) NOT NULL UNIQUE,
    status             varchar(20)  NOT NULL,
    status_changed_at  timestamptz  NOT NULL,
    enrolled_at        timestamptz  NOT NULL,
    last_seen_at       timestamptz,
    decommissioned_at  timestamptz,
    version            varchar(100),
    latest_metrics     jsonb,
    metrics_at         timestamptz,
    CONSTRAINT instance_status_check CHECK (status IN ('online', 'offline', 'error', 'decommissioned'))
);

CREATE INDEX instance_status_idx ON instance (status);
CREATE INDEX instance_tags_idx ON instance USING gin (tags);
CREATE INDEX instance_enrolled_idx ON instance (enrolled_at, id);

-- One-time enrollment codes. The code itself is never stored: only its keyed hash (HMAC-SHA-256, hex).
CREATE TABLE enrollment_code (
    id           uuid        PRIMARY KEY,
    code_hash    varchar(64) NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    instance_id  uuid        REFERENCES instance (id),
    revoked_at   timestamptz
);

-- Lookups at enroll time only ever concern codes that are neither used nor revoked.
CREATE INDEX enrollment_code_open_idx ON enrollment_code (code_hash) WHERE used_at IS NULL AND revoked_at IS NULL;
CREATE INDEX enrollment_code_created_idx ON enrollment_code (created_at, id);

-- Token buckets that throttle failed enrollment attempts, per client address and fleet-wide. Kept in the database
-- so that every replica of the server draws from the same buckets.
CREATE TABLE enrollment_throttle (
    bucket      varchar(100)     PRIMARY KEY,
    tokens      double precision NOT NULL,
    updated_at  timestamptz      NOT NULL
);
