package io.omnii.server.command;

import static io.omnii.server.testsupport.ScopedFleet.JONES;
import static io.omnii.server.testsupport.ScopedFleet.JONES_TAG;
import static io.omnii.server.testsupport.ScopedFleet.SMITH;
import static io.omnii.server.testsupport.ScopedFleet.SMITH_TAG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.omnii.server.audit.Actor;
import io.omnii.server.auth.Scope;
import io.omnii.server.command.CommandPayloads.BatchView;
import io.omnii.server.command.CommandPayloads.BulkCommandRequest;
import io.omnii.server.command.CommandPayloads.CommandRequest;
import io.omnii.server.command.CommandPayloads.CommandView;
import io.omnii.server.command.CommandPayloads.Target;
import io.omnii.server.common.ApiError;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ScopedFleet;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commands, bulk commands and batches stay inside the caller's scope: another scope's instance, command or batch is
 * as missing, and a bulk command never reaches outside the scope, whatever its target says.
 */
@QuarkusTest
class ScopedCommandsTest extends ServerTest {

    private static final Page.PageRequest FIRST = new Page.PageRequest(0, 50);
    private static final CommandRequest GET_STATUS = new CommandRequest("get_status", null, null);
    private static final Actor AS_SERVER = Actor.system();

    @Inject
    CommandService commands;

    @Inject
    CommandRepository rows;

    @Inject
    ScopedFleet fleet;

    UUID smith1;
    UUID smith2;
    UUID jones;
    UUID untagged;

    @BeforeEach
    void twoCustomersAndTheServerRoom() {
        smith1 = UUID.fromString(fleet.enroll(SMITH, "Smith house"));
        smith2 = UUID.fromString(fleet.enroll(SMITH, "Smith parents"));
        jones = UUID.fromString(fleet.enroll(JONES, "Jones house"));
        untagged = UUID.fromString(Api.enrollInstance("Server room"));
    }

    @Test
    void anotherScopesInstanceTakesNoCommandAndShowsNone() {
        assertNotFound(() -> commands.send(JONES, smith1, GET_STATUS, AS_SERVER));
        assertThat(db.count("SELECT count(*) FROM command")).isZero();

        UUID sent = commands.send(SMITH, smith1, GET_STATUS, AS_SERVER).id();
        assertThat(commands.find(SMITH, sent)).isPresent();
        assertThat(commands.find(Scope.ALL, sent)).isPresent();
        assertThat(commands.find(JONES, sent)).isEmpty();

        assertThat(commands.listFor(SMITH, smith1, FIRST).items()).extracting(CommandView::id).containsExactly(sent);
        assertNotFound(() -> commands.listFor(JONES, smith1, FIRST));
    }

    @Test
    void aBulkCommandReachesOnlyTheScopesInstancesWhateverItsTarget() {
        BatchView byStatus = sendToMany(SMITH, new Target(null, "offline", null));
        assertThat(byStatus.total()).isEqualTo(2);
        assertThat(commandedBy(byStatus)).containsExactlyInAnyOrder(smith1, smith2);

        BatchView byOtherTag = sendToMany(SMITH, new Target(null, null, List.of(JONES_TAG)));
        assertThat(byOtherTag.total()).isZero();

        BatchView byOwnTag = sendToMany(JONES, new Target(null, null, List.of(JONES_TAG)));
        assertThat(commandedBy(byOwnTag)).containsExactly(jones);

        BatchView everyone = sendToMany(Scope.ALL, new Target(null, "offline", null));
        assertThat(commandedBy(everyone)).containsExactlyInAnyOrder(smith1, smith2, jones, untagged);
    }

    @Test
    void anotherScopesInstanceNamedInABulkCommandIsRefusedLikeAnUnknownOne() {
        UUID unknown = UUID.randomUUID();
        ApiError.Violation asUnknown = refusal(SMITH, List.of(smith1, unknown));
        ApiError.Violation asOutOfScope = refusal(SMITH, List.of(smith1, jones));

        assertThat(asOutOfScope.field()).isEqualTo(asUnknown.field());
        assertThat(asOutOfScope.message()).isEqualTo(asUnknown.message().replace(unknown.toString(), jones.toString()));
        assertThat(db.count("SELECT count(*) FROM command")).isZero();

        assertThat(sendToMany(SMITH, ids(List.of(smith1, smith2))).total()).isEqualTo(2);
        assertThat(sendToMany(Scope.ALL, ids(List.of(smith1, jones))).total()).isEqualTo(2);
    }

    @Test
    void aBatchShowsOnlyToScopesThatAdmitEveryInstanceItCommands() {
        UUID smiths = sendToMany(SMITH, new Target(null, null, List.of(SMITH_TAG))).batchId();
        UUID everyone = sendToMany(Scope.ALL, new Target(null, "offline", null)).batchId();

        assertThat(commands.batch(SMITH, smiths)).isPresent();
        assertThat(commands.batch(Scope.ALL, smiths)).isPresent();
        assertThat(commands.batch(JONES, smiths)).isEmpty();

        assertThat(commands.batch(Scope.ALL, everyone).orElseThrow().total()).isEqualTo(4);
        assertThat(commands.batch(SMITH, everyone)).isEmpty();
        assertThat(commands.batch(JONES, everyone)).isEmpty();
    }

    private ApiError.Violation refusal(Scope scope, List<UUID> targets) {
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> sendToMany(scope, ids(targets)));
        assertThat(refused.toError().status()).isEqualTo(400);
        assertThat(refused.toError().violations()).hasSize(1);
        return refused.toError().violations().get(0);
    }

    /** The instances the batch's commands went to, as stored. */
    private List<UUID> commandedBy(BatchView batch) {
        return rows.list("batchId", batch.batchId()).stream().map(c -> c.instanceId).toList();
    }

    private BatchView sendToMany(Scope scope, Target target) {
        return commands.sendToMany(scope, bulk(target), AS_SERVER);
    }

    private static Target ids(List<UUID> ids) {
        return new Target(ids.stream().map(UUID::toString).toList(), null, null);
    }

    private static BulkCommandRequest bulk(Target target) {
        return new BulkCommandRequest("check_updates", null, null, target);
    }

    private static void assertNotFound(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.toError().status()).isEqualTo(404));
    }
}
