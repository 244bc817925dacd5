package io.omnii.server.fleet;

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
public class Instance {

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

    /** The timestamp of the newest status or heartbeat applied; older ones arriving late do not overrule it. */
    @Column(name = "last_report_at")
    public Instant lastReportAt;

    /** The metadata object of the newest metrics message, unknown keys included. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "latest_metrics")
    public Map<String, Object> latestMetrics;

    /** The instance's own timestamp of the newest metrics message. */
    @Column(name = "metrics_at")
    public Instant metricsAt;

    @Column(name = "uptime_seconds")
    public Long uptimeSeconds;

    @Column(name = "stability_score")
    public Double stabilityScore;

    @Column(name = "core_version")
    public String coreVersion;

    @Column(name = "supervisor_version")
    public String supervisorVersion;

    @Column(name = "os_version")
    public String osVersion;

    @Column(name = "total_devices")
    public Integer totalDevices;

    @Column(name = "total_entities")
    public Integer totalEntities;

    @Column(name = "pending_updates")
    public Integer pendingUpdates;

    public boolean isDecommissioned() {
        return status == InstanceStatus.DECOMMISSIONED;
    }
}
