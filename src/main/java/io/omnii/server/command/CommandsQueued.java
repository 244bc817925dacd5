package io.omnii.server.command;

import java.util.Collection;
import java.util.UUID;

/** Commands were queued for these instances (null: any instance); the dispatcher sends them once committed. */
record CommandsQueued(Collection<UUID> instanceIds) {
}
