package io.omnii.server.fleet;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "instance")
public class Instance extends PanacheEntityBase {

    @Id
    public UUID id;

    public String name;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "text[]")
    public List<String> tags = new ArrayList<>();

    @Column(name = "mqtt_client_id")
    public String mqttClientId;

    public InstanceStatus status;

    @Column(name = "status_changed_at")
    public Instant statusChangedAt;

    @Column(name = "enrolled_at")
    public Instant enrolledAt;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    @Column(name = "decommissioned_at")
    public Instant decommissionedAt;

    public String version;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "latest_metrics")
    public Map<String, Object> latestMetrics;

    @Column(name = "metrics_at")
    public Instant metricsAt;

    public boolean isDecommissioned() {
        return status == InstanceStatus.DECOMMISSIONED;
    }
}
