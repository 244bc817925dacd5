package io.omnii.server.command;

import jakarta.persistence.AttributeConverter;
import java.util.Locale;

/** Commands and states are stored by their wire names. */
final class CommandConverters {

    private CommandConverters() {
    }

    static final class Name implements AttributeConverter<CommandName, String> {
        @Override
        public String convertToDatabaseColumn(CommandName value) {
            return value == null ? null : value.wire();
        }

        @Override
        public CommandName convertToEntityAttribute(String value) {
            return value == null ? null : CommandName.fromWire(value).orElseThrow();
        }
    }

    static final class State implements AttributeConverter<CommandState, String> {
        @Override
        public String convertToDatabaseColumn(CommandState value) {
            return value == null ? null : value.wire();
        }

        @Override
        public CommandState convertToEntityAttribute(String value) {
            return value == null ? null : CommandState.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }
}
