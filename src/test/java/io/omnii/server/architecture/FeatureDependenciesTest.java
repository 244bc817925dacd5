package io.omnii.server.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Features talk through calls or CDI events one way only: no cycle between the packages under io.omnii.server, and
 * common, which every feature may use, uses none of them. Checked twice: on the bytecode (ArchUnit), and on the
 * sources' imports, because a constant used in an annotation ({@code @RolesAllowed(Roles.VIEWER)}) is inlined by
 * the compiler and leaves no trace in the bytecode.
 */
class FeatureDependenciesTest {

    static final String BASE = "io.omnii.server";
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?" + Pattern.quote(BASE) + "\\.(\\w+)\\.",
            Pattern.MULTILINE);

    @Test
    void noImportCycleBetweenFeatures() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void commonDependsOnNoFeature() {
        noClasses().that().resideInAPackage(BASE + ".common..")
                .should().dependOnClassesThat(resideInAPackage(BASE + "..")
                        .and(resideOutsideOfPackage(BASE + ".common..")))
                .check(MAIN);
    }

    @Test
    void noImportCycleBetweenFeaturesInTheSources() throws IOException {
        Map<String, Set<String>> imports = sourceImports(Path.of("src/main/java/io/omnii/server"));
        List<String> cycles = new ArrayList<>();
        for (String from : imports.keySet()) {
            for (String to : imports.get(from)) {
                if (from.compareTo(to) < 0 && reaches(imports, to, from, new TreeSet<>())) {
                    cycles.add(from + " <-> " + to);
                }
            }
        }
        assertThat(cycles).as("feature packages that import each other, directly or around a loop").isEmpty();
    }

    /** Each top-level package under io.omnii.server, and the other such packages its sources import. */
    static Map<String, Set<String>> sourceImports(Path root) throws IOException {
        Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = root.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue; // the application class at the root
                }
                String from = relative.getName(0).toString();
                Set<String> targets = imports.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(from)) {
                        targets.add(m.group(1));
                    }
                }
            }
        }
        return imports;
    }

    private static boolean reaches(Map<String, Set<String>> imports, String from, String to, Set<String> seen) {
        if (from.equals(to)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        return imports.getOrDefault(from, Set.of()).stream().anyMatch(next -> reaches(imports, next, to, seen));
    }
}
