package io.omnii.server.fleet;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

@Converter(autoApply = true)
public class TransitionReasonConverter implements AttributeConverter<TransitionReason, String> {

    @Override
    public String convertToDatabaseColumn(TransitionReason reason) {
        return reason == null ? null : reason.wire();
    }

    @Override
    public TransitionReason convertToEntityAttribute(String value) {
        return value == null ? null : TransitionReason.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
