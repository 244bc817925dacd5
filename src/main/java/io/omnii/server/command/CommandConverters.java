package io.omnii.server.command;

import io.omnii.server.common.WireEnum;

/** Commands and states are stored by their wire names. */
final class CommandConverters {

    private CommandConverters() {
    }

    static final class Name extends WireEnum.Converter<CommandName> {
        Name() {
            super(CommandName.class);
        }
    }

    static final class State extends WireEnum.Converter<CommandState> {
        State() {
            super(CommandState.class);
        }
    }
}
