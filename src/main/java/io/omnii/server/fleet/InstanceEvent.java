package io.omnii.server.fleet;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One status transition of an instance, as {@link InstanceWriter} recorded it. */
@Entity
@Table(name = "instance_event")
public class InstanceEvent {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "instance_id")
    public UUID instanceId;

    public Instant at;

    @Column(name = "from_status")
    public InstanceStatus fromStatus;

    @Column(name = "to_status")
    public InstanceStatus toStatus;

    public TransitionReason reason;
}
