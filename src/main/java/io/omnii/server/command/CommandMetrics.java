package io.omnii.server.command;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Commands that reached a final state, by command and state: {@code omnii_commands_total}. Only the combinations a
 * command can reach exist (docs/mqtt.md), each from the start at zero.
 */
// Created at start-up so that every series is exported, at zero, before the first event.
@Startup
@Singleton
public class CommandMetrics {

    private final Map<CommandName, Map<CommandState, Counter>> finished = new EnumMap<>(CommandName.class);

    CommandMetrics(MeterRegistry registry) {
        for (CommandName command : CommandName.values()) {
            Map<CommandState, Counter> byState = new EnumMap<>(CommandState.class);
            for (CommandState state : finalStates(command)) {
                byState.put(state, Counter.builder("omnii.commands")
                        .description("Commands that reached a final state, by command and state")
                        .tags("command", command.wire(), "state", state.wire()).register(registry));
            }
            finished.put(command, byState);
        }
    }

    /** The states a command ends in: an answer is awaited only for get_status and get_metrics. */
    public static Set<CommandState> finalStates(CommandName command) {
        return command.expectsReply()
                ? EnumSet.of(CommandState.COMPLETED, CommandState.TIMED_OUT, CommandState.EXPIRED, CommandState.FAILED,
                        CommandState.CANCELLED)
                : EnumSet.of(CommandState.SENT, CommandState.EXPIRED, CommandState.FAILED, CommandState.CANCELLED);
    }

    public void finished(CommandName command, CommandState state, long count) {
        Counter counter = finished.get(command).get(state);
        if (counter != null && count > 0) {
            counter.increment(count);
        }
    }
}
