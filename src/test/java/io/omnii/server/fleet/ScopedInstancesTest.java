package io.omnii.server.fleet;

import static io.omnii.server.testsupport.ScopedFleet.JONES;
import static io.omnii.server.testsupport.ScopedFleet.JONES_TAG;
import static io.omnii.server.testsupport.ScopedFleet.SMITH;
import static io.omnii.server.testsupport.ScopedFleet.SMITH_TAG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.omnii.server.audit.Actor;
import io.omnii.server.auth.Scope;
import io.omnii.server.common.ApiException;
import io.omnii.server.common.Page;
import io.omnii.server.testsupport.Api;
import io.omnii.server.testsupport.ScopedFleet;
import io.omnii.server.testsupport.ServerTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Two customers' scopes never see each other's instances in the fleet; an unscoped caller sees both. */
@QuarkusTest
class ScopedInstancesTest extends ServerTest {

    private static final InstanceQuery EVERYTHING = new InstanceQuery(Optional.empty(), Optional.empty(), List.of());

    @Inject
    InstanceService instances;

    @Inject
    ScopedFleet fleet;

    @Test
    void eachScopeListsOnlyItsOwnInstancesWithItsOwnTotal() {
        List<String> smith = new ArrayList<>();
        List<String> jones = new ArrayList<>();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            smith.add(fleet.enroll(SMITH, "Smith " + i));
            jones.add(fleet.enroll(JONES, "Jones " + i));
            all.add(smith.get(i));
            all.add(jones.get(i));
        }
        all.add(Api.enrollInstance("Untagged"));

        assertThat(ids(instances.list(SMITH, EVERYTHING, new Page.PageRequest(0, 50)))).isEqualTo(smith);
        assertThat(instances.list(SMITH, EVERYTHING, new Page.PageRequest(0, 50)).total()).isEqualTo(3);
        assertThat(ids(instances.list(JONES, EVERYTHING, new Page.PageRequest(0, 50)))).isEqualTo(jones);
        assertThat(instances.list(JONES, EVERYTHING, new Page.PageRequest(0, 50)).total()).isEqualTo(3);
        assertThat(ids(instances.list(Scope.ALL, EVERYTHING, new Page.PageRequest(0, 50)))).isEqualTo(all);
        assertThat(instances.list(Scope.ALL, EVERYTHING, new Page.PageRequest(0, 50)).total()).isEqualTo(7);

        // Filters narrow within the scope; asking for the other customer's tag finds nothing.
        InstanceQuery offline = new InstanceQuery(Optional.of(InstanceStatus.OFFLINE), Optional.empty(), List.of());
        assertThat(instances.list(SMITH, offline, new Page.PageRequest(0, 50)).total()).isEqualTo(3);
        InstanceQuery jonesTag = new InstanceQuery(Optional.empty(), Optional.empty(), List.of(JONES_TAG));
        assertThat(instances.list(SMITH, jonesTag, new Page.PageRequest(0, 50)).items()).isEmpty();
        assertThat(instances.list(SMITH, jonesTag, new Page.PageRequest(0, 50)).total()).isZero();
        InstanceQuery named = new InstanceQuery(Optional.empty(), Optional.of("jones"), List.of());
        assertThat(instances.list(SMITH, named, new Page.PageRequest(0, 50)).items()).isEmpty();
    }

    @Test
    void cursorPagingWalksExactlyTheScopesInstancesInOrder() {
        List<String> smith = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            smith.add(fleet.enroll(SMITH, "Smith " + i));
            fleet.enroll(JONES, "Jones " + i);
        }
        List<String> seen = new ArrayList<>();
        Page<Instance> page = instances.list(SMITH, EVERYTHING, new Page.PageRequest(0, 2));
        seen.addAll(ids(page));
        while (page.next() != null) {
            assertThat(page.total()).isEqualTo(7);
            page = instances.listAfter(SMITH, EVERYTHING, InstanceCursor.decode(page.next()).orElseThrow(), 2);
            seen.addAll(ids(page));
        }
        assertThat(seen).isEqualTo(smith);
    }

    @Test
    void anotherScopesInstanceIsAsMissingForReadsChangesAndDecommissioning() {
        UUID smith = UUID.fromString(fleet.enroll(SMITH, "Smith house"));

        assertThat(instances.find(JONES, smith)).isEmpty();
        assertThat(instances.find(SMITH, smith)).isPresent();
        assertThat(instances.find(Scope.ALL, smith)).isPresent();
        assertNotFound(() -> instances.requireExists(JONES, smith));
        instances.requireExists(SMITH, smith);

        assertNotFound(() -> instances.update(JONES, smith, new InstancePatch("Taken", List.of(JONES_TAG)), Actor.system()));
        assertNotFound(() -> instances.decommission(JONES, smith, Actor.system()));
        // Read with SQL: entities read above stay cached in the test's persistence context.
        assertThat(db.count("SELECT count(*) FROM instance WHERE name = 'Smith house' AND tags = '{" + SMITH_TAG
                + "}' AND status = 'offline' AND id = '" + smith + "'")).isEqualTo(1);

        instances.decommission(SMITH, smith, Actor.system());
        assertThat(db.count("SELECT count(*) FROM instance WHERE status = 'decommissioned' AND id = '" + smith + "'"))
                .isEqualTo(1);
    }

    private static void assertNotFound(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.toError().status()).isEqualTo(404));
    }

    private static List<String> ids(Page<Instance> page) {
        return page.items().stream().map(i -> i.id.toString()).toList();
    }
}
