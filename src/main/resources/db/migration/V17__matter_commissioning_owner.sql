-- The replica (incarnation, table replica) that relays a commissioning attempt and records its outcome from its own
-- connection's answer. A pending attempt whose owner is no longer live has nobody to record its outcome: any replica
-- fails it (docs/matter.md#several-replicas). NULL: recorded before replicas were tracked, so its owner is gone.
ALTER TABLE matter_commissioning ADD COLUMN owner uuid;
