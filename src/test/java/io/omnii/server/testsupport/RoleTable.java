package io.omnii.server.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A role table of docs/security.md (method, path, least role), read from under its heading to the next heading. */
public final class RoleTable {

    public static final Path SECURITY_MD = Path.of("docs", "security.md");
    public static final List<String> ROLES = List.of("viewer", "operator", "admin");
    private static final Pattern ROW = Pattern.compile(
            "^\\| `(GET|POST|PUT|PATCH|DELETE)` \\| `(/[^`]*)` \\| (public|viewer|operator|admin) \\|\\s*$");

    private RoleTable() {
    }

    /** "METHOD /path" to the least role, from the table under the line {@code heading}. */
    public static Map<String, String> read(String heading) throws IOException {
        List<String> lines = Files.readAllLines(SECURITY_MD);
        int start = lines.indexOf(heading);
        assertThat(start).as("the heading %s in %s", heading, SECURITY_MD).isNotNegative();
        Map<String, String> rows = new TreeMap<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("#")) {
                break;
            }
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                String previous = rows.put(m.group(1) + " " + m.group(2), m.group(3));
                assertThat(previous).as("rows for %s %s under %s", m.group(1), m.group(2), heading).isNull();
            }
        }
        assertThat(rows).as("rows of the table under %s in %s", heading, SECURITY_MD).hasSizeGreaterThan(10);
        return rows;
    }

    /** Path parameters as values that name nothing: a random UUID, or 1 where the parameter is a number. */
    public static String dummyPath(String path) {
        return path.replaceAll("\\{(id|tokenId|instanceId|batchId)}", UUID.randomUUID().toString())
                .replaceAll("\\{[^}]+}", "1");
    }

    /** Whether a role may call what needs {@code least}: roles are cumulative. */
    public static boolean allows(String least, String role) {
        return least.equals("public") || ROLES.indexOf(role) >= ROLES.indexOf(least);
    }
}
