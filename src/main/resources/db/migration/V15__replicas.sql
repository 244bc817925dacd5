-- The running server processes (replicas): which are alive, which one leads, which periodic job ran when. Times are
-- PostgreSQL's (clock_timestamp()), never a replica's own clock: replicas may run on machines whose clocks differ.

-- One row per process start (incarnation), renewed every heartbeat; a row not renewed within the lease is gone.
-- A replica stopping gracefully deletes its row.
CREATE TABLE replica (
    incarnation uuid         PRIMARY KEY,
    client_id   varchar(128) NOT NULL,           -- its MQTT client id: the identity it keeps across restarts
    started_at  timestamptz  NOT NULL,
    seen_at     timestamptz  NOT NULL
);
CREATE INDEX replica_client_id ON replica (client_id);

-- Named leases, held by one incarnation until expires_at unless renewed ('leader': the replica that runs what must
-- run once fleet-wide and continuously).
CREATE TABLE lease (
    name       varchar(160) PRIMARY KEY,   -- room for "mqtt-session:" and a 128-character client id
    holder     uuid        NOT NULL,
    expires_at timestamptz NOT NULL
);

-- When each periodic job last ran fleet-wide, and by whom: a replica runs it only if nobody did within its interval.
CREATE TABLE periodic_job (
    name   varchar(64) PRIMARY KEY,
    ran_at timestamptz NOT NULL,
    ran_by uuid        NOT NULL,
    runs   bigint      NOT NULL
);
