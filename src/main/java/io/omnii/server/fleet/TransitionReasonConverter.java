package io.omnii.server.fleet;

import io.omnii.server.common.WireEnum;
import jakarta.persistence.Converter;

@Converter(autoApply = true)
public class TransitionReasonConverter extends WireEnum.Converter<TransitionReason> {

    public TransitionReasonConverter() {
        super(TransitionReason.class);
    }
}
