package io.omnii.server.replica;

import jakarta.inject.Singleton;
import java.util.UUID;

/** This process start's id, on its own so that the registry and the leases can both name it. */
@Singleton
class Incarnation {

    final UUID id = UUID.randomUUID();
}
