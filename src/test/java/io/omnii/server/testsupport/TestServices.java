package io.omnii.server.testsupport;

import io.quarkus.test.common.QuarkusTestResource;

/** Registers {@link LocalServicesResource} for all Quarkus tests of the module. */
@QuarkusTestResource(LocalServicesResource.class)
public final class TestServices {

    private TestServices() {
    }
}
