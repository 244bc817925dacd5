package io.omnii.server.common;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The wire names of each {@link WireEnum} type, worked out once: they are looked up for every telemetry message and
 * every row the writer locks, and lower-casing names and copying the constants each time showed in its profile.
 */
final class WireNames {

    private static final ClassValue<String[]> NAMES = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            Object[] constants = type.getEnumConstants();
            String[] names = new String[constants.length];
            for (int i = 0; i < constants.length; i++) {
                names[i] = ((Enum<?>) constants[i]).name().toLowerCase(Locale.ROOT);
            }
            return names;
        }
    };

    private static final ClassValue<Map<String, Object>> BY_NAME = new ClassValue<>() {
        @Override
        protected Map<String, Object> computeValue(Class<?> type) {
            Map<String, Object> byName = new HashMap<>();
            for (Object constant : type.getEnumConstants()) {
                byName.put(((WireEnum) constant).wire(), constant); // an enum may spell its names otherwise
            }
            return Map.copyOf(byName);
        }
    };

    private WireNames() {
    }

    static String of(Enum<?> constant) {
        return NAMES.get(constant.getDeclaringClass())[constant.ordinal()];
    }

    static <E> E find(Class<E> type, String name) {
        return name == null ? null : type.cast(BY_NAME.get(type).get(name));
    }
}
