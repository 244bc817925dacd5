package io.omnii.server.console;

import io.quarkus.qute.TemplateExtension;
import java.time.Instant;

/** Formats the console's templates share: {@code {at.iso}} for an instant as the API's epoch milliseconds or an Instant. */
@TemplateExtension
public class ConsoleFormats {

    private ConsoleFormats() {
    }

    static String iso(Long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    static String iso(Instant instant) {
        return instant.toString();
    }
}
