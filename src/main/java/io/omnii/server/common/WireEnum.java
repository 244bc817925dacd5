package io.omnii.server.common;

import com.fasterxml.jackson.annotation.JsonValue;
import jakarta.persistence.AttributeConverter;
import java.util.Optional;

/** An enum whose constants travel, in JSON and in the database, as their lower-case names. */
public interface WireEnum {

    String name();

    @JsonValue
    default String wire() {
        return WireNames.of((Enum<?>) this);
    }

    static <E extends Enum<E> & WireEnum> Optional<E> fromWire(Class<E> type, String value) {
        return Optional.ofNullable(WireNames.find(type, value));
    }

    /** Stores a {@link WireEnum} column by its wire name. Subclass it per enum: JPA wants concrete converters. */
    abstract class Converter<E extends Enum<E> & WireEnum> implements AttributeConverter<E, String> {

        private final Class<E> type;

        protected Converter(Class<E> type) {
            this.type = type;
        }

        @Override
        public String convertToDatabaseColumn(E value) {
            return value == null ? null : value.wire();
        }

        @Override
        public E convertToEntityAttribute(String value) {
            return value == null ? null : fromWire(type, value)
                    .orElseThrow(() -> new IllegalStateException("unknown " + type.getSimpleName() + ": " + value));
        }
    }
}
