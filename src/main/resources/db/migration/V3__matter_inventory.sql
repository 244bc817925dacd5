-- The Matter Server's nodes, rebuilt from its snapshot on every (re)connection and kept current from its events.
CREATE TABLE matter_node (
    node_id            numeric(20, 0) PRIMARY KEY,   -- unsigned 64-bit
    available          boolean        NOT NULL,
    is_bridge          boolean        NOT NULL,
    vendor_id          integer,
    vendor_name        varchar(200),
    product_name       varchar(200),
    node_label         varchar(200),
    software_version   varchar(100),
    serial_number      varchar(100),
    date_commissioned  timestamp,                    -- as the server sends it: no offset
    last_interview     timestamp,
    attributes         jsonb          NOT NULL,
    updated_at         timestamptz    NOT NULL
);

-- The latest server info (fabric, SDK, schema, credentials, Bluetooth): one row.
CREATE TABLE matter_server (
    id          smallint    PRIMARY KEY CHECK (id = 1),
    info        jsonb       NOT NULL,
    updated_at  timestamptz NOT NULL
);
