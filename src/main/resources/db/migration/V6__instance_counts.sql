-- How many instances are in each state, kept exact by every statement that changes a state (enrollment,
-- decommissioning, the telemetry writer, the presence sweep), in the same transaction. GET /instances reads its
-- total here instead of counting the table: a count(*) over 100,000 instances reads the whole table (tens of ms),
-- because PostgreSQL has no cheap exact count.
CREATE TABLE instance_count (
    status  varchar(20) PRIMARY KEY,
    n       bigint      NOT NULL,
    CONSTRAINT instance_count_status_check CHECK (status IN ('online', 'offline', 'error', 'decommissioned'))
);

INSERT INTO instance_count (status, n)
SELECT s, (SELECT count(*) FROM instance WHERE status = s)
  FROM unnest(ARRAY['online', 'offline', 'error', 'decommissioned']) AS s;
