package io.omnii.server.account;

import io.omnii.server.auth.Role;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Roles in the database by their wire names, as the migration's CHECK constraints list them. */
@Converter
public class RoleConverter implements AttributeConverter<Role, String> {

    @Override
    public String convertToDatabaseColumn(Role role) {
        return role == null ? null : role.wireName();
    }

    @Override
    public Role convertToEntityAttribute(String name) {
        return name == null ? null : Role.fromWire(name)
                .orElseThrow(() -> new IllegalStateException("unknown role in the database: " + name));
    }
}
