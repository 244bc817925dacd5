package io.omnii.server.enrollment;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.omnii.server.common.Times;
import io.omnii.server.fleet.InstanceName;
import io.omnii.server.fleet.InstanceRules;
import io.omnii.server.fleet.Tag;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What crosses the wire for enrollment. Field names are the add-on guide's, letter for letter. */
public final class EnrollmentPayloads {

    private EnrollmentPayloads() {
    }

    /**
     * POST /enrollment-codes. {@code tags} are what the enrolled instance will carry: for a scoped caller some of its
     * scope's tags (required when the scope has several), for an unscoped one any tags, or none.
     */
    public record NewCodeRequest(@CodeLifetime Integer expiresInHours,
            @Size(max = InstanceRules.MAX_TAGS, message = InstanceRules.TOO_MANY_TAGS) List<@Tag String> tags) {
    }

    /** The only answer that ever shows a code. */
    public record NewCode(String code, long expiresAt, UUID id) {
    }

    /** A code in the listing: everything but the code. */
    public record CodeView(UUID id, CodeState state, long createdAt, long expiresAt,
            @Schema(nullable = true) Long usedAt, @Schema(nullable = true) UUID instanceId,
            @Schema(nullable = true) Long revokedAt, List<String> tags) {

        static CodeView of(EnrollmentCode c, java.time.Instant now, String currentKeyId) {
            return new CodeView(c.id, c.state(now, currentKeyId), c.createdAt.toEpochMilli(),
                    c.expiresAt.toEpochMilli(), Times.millis(c.usedAt), c.instanceId, Times.millis(c.revokedAt),
                    List.copyOf(c.tags));
        }
    }

    /** POST /enroll. */
    public record EnrollRequest(@NotNull(message = "is required") String code,
            @NotNull(message = "is required") @InstanceName String name) {
    }

    /**
     * POST /enroll answer: what the add-on needs to join the fleet over MQTT. The broker credentials exist only with
     * per-instance accounts (mosquitto-dynsec mode), are shown here once, and are left out otherwise.
     */
    public record Enrollment(UUID instanceId, String mqttClientId, String mqttBrokerUrl, EnrollmentTopics topics,
            @JsonInclude(JsonInclude.Include.NON_NULL) String mqttUsername,
            @JsonInclude(JsonInclude.Include.NON_NULL) String mqttPassword) {
    }

    public record EnrollmentTopics(String status, String heartbeat, String metrics, String commands) {
    }
}
