package io.omnii.server.fleet;

import io.omnii.server.common.WireEnum;
import jakarta.persistence.Converter;

/** Stores the status as its wire name, as the table's check constraint expects. */
@Converter(autoApply = true)
public class InstanceStatusConverter extends WireEnum.Converter<InstanceStatus> {

    public InstanceStatusConverter() {
        super(InstanceStatus.class);
    }
}
