-- Commissioning attempts relayed to the Matter Server: each is an operation the API answers 202 for and lets you poll.
CREATE TABLE matter_commissioning (
    id             uuid           PRIMARY KEY,
    method         varchar(16)    NOT NULL CHECK (method IN ('code', 'network')),
    network_only   boolean        NOT NULL,
    state          varchar(16)    NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    node_id        numeric(20, 0),               -- unsigned 64-bit, once commissioned
    error_code     integer,                      -- the Matter Server's code; -1 unreachable, -2 no answer in time
    error          varchar(2000),
    created_at     timestamptz    NOT NULL,
    finished_at    timestamptz
);
-- One commissioning at a time: the Matter Server commissions one device at a time over Bluetooth anyway, and a
-- second attempt would only confuse which device got which node id.
CREATE UNIQUE INDEX matter_commissioning_one_pending ON matter_commissioning (state) WHERE state = 'pending';
CREATE INDEX matter_commissioning_created ON matter_commissioning (created_at DESC);

-- Events nodes sent (node_event): switch presses, door lock operations, Leave, ... kept for a while.
CREATE TABLE matter_node_event (
    node_id         numeric(20, 0) NOT NULL,
    event_number    numeric(20, 0) NOT NULL,
    endpoint_id     integer        NOT NULL,
    cluster_id      bigint         NOT NULL,
    event_id        bigint         NOT NULL,
    priority        smallint       NOT NULL,
    event_timestamp numeric(20, 0) NOT NULL,     -- opaque, usually ms; see timestamp_type
    timestamp_type  smallint       NOT NULL,
    data            jsonb,
    received_at     timestamptz    NOT NULL,
    PRIMARY KEY (node_id, event_number)
);
CREATE INDEX matter_node_event_received ON matter_node_event (received_at);
