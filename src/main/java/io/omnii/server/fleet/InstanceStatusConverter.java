package io.omnii.server.fleet;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores the status as its lower-case wire name, as the table's check constraint expects. */
@Converter(autoApply = true)
public class InstanceStatusConverter implements AttributeConverter<InstanceStatus, String> {

    @Override
    public String convertToDatabaseColumn(InstanceStatus status) {
        return status == null ? null : status.wire();
    }

    @Override
    public InstanceStatus convertToEntityAttribute(String value) {
        return value == null ? null : InstanceStatus.fromWire(value).orElseThrow();
    }
}
