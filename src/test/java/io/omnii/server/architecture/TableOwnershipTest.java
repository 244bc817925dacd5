package io.omnii.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One owner per table: only the feature that owns a table writes it, with SQL or through its entities. Others ask
 * the owner (fleet's InstanceWriter, command's CommandAnswers). Reads are free.
 */
class TableOwnershipTest {

    /** Every table the migrations create, and the feature package that alone writes it. */
    static final Map<String, String> OWNERS = Map.ofEntries(
            Map.entry("instance", "fleet"),
            Map.entry("instance_event", "fleet"),
            Map.entry("instance_count", "fleet"),
            Map.entry("enrollment_code", "enrollment"),
            Map.entry("enrollment_throttle", "enrollment"),
            Map.entry("metrics_sample", "telemetry"),
            Map.entry("command", "command"),
            Map.entry("command_batch", "command"),
            Map.entry("matter_node", "matter"),
            Map.entry("matter_server", "matter"),
            Map.entry("matter_commissioning", "matter"),
            Map.entry("matter_node_event", "matter"),
            Map.entry("user_account", "account"),
            Map.entry("personal_token", "account"),
            Map.entry("browser_session", "account"),
            Map.entry("sign_in_throttle", "account"),
            Map.entry("audit_entry", "audit"),
            Map.entry("replica", "replica"),
            Map.entry("lease", "replica"),
            Map.entry("periodic_job", "replica"));

    private static final Path MAIN = Path.of("src/main/java/io/omnii/server");
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    private static final Pattern CREATE_TABLE = Pattern.compile("(?i)\\bcreate\\s+table\\s+(?:if\\s+not\\s+exists\\s+)?"
            + "([a-z_][a-z0-9_]*)");
    // The statement that writes, and what it writes: a table, or in JPQL an entity.
    private static final Pattern WRITE = Pattern.compile("(?i)\\b(?:insert\\s+into|update|delete\\s+from|merge\\s+into"
            + "|truncate(?:\\s+table)?)\\s+([A-Za-z_][A-Za-z0-9_]*)");
    private static final Set<String> PANACHE_WRITES = Set.of("persist", "persistAndFlush", "update", "delete",
            "deleteAll", "deleteById");

    @Test
    void everyTableHasAnOwner() throws IOException {
        Set<String> created = new TreeSet<>();
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            for (Path f : files.toList()) {
                Matcher m = CREATE_TABLE.matcher(Files.readString(f));
                while (m.find()) {
                    created.add(m.group(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        assertThat(created).isNotEmpty();
        assertThat(OWNERS.keySet()).containsExactlyInAnyOrderElementsOf(created);
    }

    /** SQL and JPQL in string literals and text blocks: INSERT, UPDATE, DELETE, MERGE, TRUNCATE by package. */
    @Test
    void onlyTheOwnerWritesATableWithSql() throws IOException {
        Map<String, String> entityTables = entityTables();
        List<String> wrong = new ArrayList<>();
        Map<String, Set<String>> writers = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String feature = feature(f);
                for (String table : writtenTables(Files.readString(f), entityTables)) {
                    writers.computeIfAbsent(table, t -> new TreeSet<>()).add(MAIN.relativize(f).toString());
                    if (!feature.equals(OWNERS.get(table))) {
                        wrong.add(MAIN.relativize(f) + " writes " + table + ", which "
                                + Objects.requireNonNullElse(OWNERS.get(table), "nobody") + " owns");
                    }
                }
            }
        }
        assertThat(wrong).as("writes outside the owner").isEmpty();
        // The scan sees the hand-written statements it should (else it proves nothing).
        assertThat(writers).containsKeys("instance", "instance_event", "instance_count", "command",
                "metrics_sample", "matter_node");
    }

    /** Entities change only in their own package: no field set, constructor or Panache write elsewhere. */
    @Test
    void onlyTheOwnerWritesATableThroughItsEntity() {
        for (JavaClass entity : FeatureDependenciesTest.MAIN.stream().filter(c -> c.isAnnotatedWith(Entity.class))
                .toList()) {
            String table = entity.getAnnotationOfType(Table.class).name();
            String owner = FeatureDependenciesTest.BASE + "." + OWNERS.get(table);
            assertThat(entity.getPackageName()).as("%s lives with the owner of %s", entity.getName(), table)
                    .isEqualTo(owner);
            noClasses().that().resideOutsideOfPackage(owner + "..")
                    .should().setFieldWhere(targetOwnedBy(entity))
                    .orShould().callConstructorWhere(targetOwnedBy(entity))
                    .orShould().callMethodWhere(DescribedPredicate.describe(
                            "a Panache write of " + entity.getSimpleName(), call -> call.getTargetOwner().equals(entity)
                                    && PANACHE_WRITES.contains(call.getTarget().getName())))
                    .because(table + " belongs to " + OWNERS.get(table))
                    .check(FeatureDependenciesTest.MAIN);
        }
    }

    private static <T extends JavaAccess<? extends AccessTarget>> DescribedPredicate<T> targetOwnedBy(
            JavaClass entity) {
        return DescribedPredicate.describe("a member of " + entity.getSimpleName(),
                access -> access.getTargetOwner().equals(entity));
    }

    /** The feature a source file belongs to: the first package under io.omnii.server ("" for the root). */
    private static String feature(Path file) {
        Path relative = MAIN.relativize(file);
        return relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
    }

    /** Entity name (JPQL) and table name (SQL), lower case, to the table. */
    private static Map<String, String> entityTables() {
        Map<String, String> tables = new TreeMap<>();
        FeatureDependenciesTest.MAIN.stream().filter(c -> c.isAnnotatedWith(Entity.class)).forEach(c -> {
            String table = c.getAnnotationOfType(Table.class).name();
            tables.put(c.getSimpleName().toLowerCase(Locale.ROOT), table);
        });
        OWNERS.keySet().forEach(t -> tables.put(t, t));
        return tables;
    }

    static Set<String> writtenTables(String source, Map<String, String> entityTables) {
        Set<String> written = new TreeSet<>();
        for (String literal : literals(source)) {
            Matcher m = WRITE.matcher(literal);
            while (m.find()) {
                String target = entityTables.get(m.group(1).toLowerCase(Locale.ROOT));
                if (target != null) {
                    written.add(target);
                }
            }
        }
        return written;
    }

    /** The string literals and text blocks of a Java source, comments and char literals skipped. */
    static List<String> literals(String src) {
        List<String> literals = new ArrayList<>();
        int i = 0;
        while (i < src.length()) {
            if (src.startsWith("//", i)) {
                int end = src.indexOf('\n', i);
                i = end < 0 ? src.length() : end + 1;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                while (end > 0 && src.charAt(end - 1) == '\\') {
                    end = src.indexOf("\"\"\"", end + 1);
                }
                end = end < 0 ? src.length() : end;
                literals.add(src.substring(i + 3, end));
                i = end + 3;
            } else if (src.charAt(i) == '"' || src.charAt(i) == '\'') {
                char quote = src.charAt(i);
                StringBuilder s = new StringBuilder();
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != quote && src.charAt(j) != '\n') {
                    if (src.charAt(j) == '\\') {
                        j++;
                    }
                    if (j < src.length()) {
                        s.append(src.charAt(j));
                    }
                    j++;
                }
                if (quote == '"') {
                    literals.add(s.toString());
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return literals;
    }

    @Test
    void theScanFindsWritesInLiteralsAndNotInComments() {
        String source = """
                // UPDATE instance SET nothing: a comment
                /* DELETE FROM command */
                class X {
                    static final String A = "UPDATE instance SET status = 'offline'" + " WHERE id = ?";
                    static final String B = \"""
                            INSERT INTO instance_event (instance_id) VALUES (?)\""";
                    static final String C = "UPDATE Command c SET c.state = :s"; // JPQL, by entity
                    static final String D = "SELECT * FROM metrics_sample";
                    static final char E = '"';
                    static final String F = "an instance's update: not a write";
                }
                """;
        assertThat(writtenTables(source, entityTables())).containsExactly("command", "instance", "instance_event");
    }
}
