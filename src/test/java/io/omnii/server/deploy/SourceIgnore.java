package io.omnii.server.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The ignore rules of a Flux GitRepository (spec.ignore), read as source-controller reads them (go-git's gitignore
 * matcher): gitignore patterns, the last rule matching a path or one of its directories decides, `!` re-includes, a
 * trailing `/` matches directories only, and a rule with a `/` before its end is anchored to the repository's root.
 * Unlike git itself, a later `!dir/` brings back what lies under an excluded parent (`/*` then `!/charts/x/`).
 */
final class SourceIgnore {

    private record Rule(Pattern pattern, boolean negated, boolean directoryOnly) {
    }

    private final List<Rule> rules = new ArrayList<>();

    SourceIgnore(String text) {
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean negated = line.startsWith("!");
            if (negated) {
                line = line.substring(1);
            }
            boolean directoryOnly = line.endsWith("/");
            if (directoryOnly) {
                line = line.substring(0, line.length() - 1);
            }
            boolean anchored = line.contains("/");
            if (line.startsWith("/")) {
                line = line.substring(1);
            }
            String glob = toRegex(line);
            rules.add(new Rule(Pattern.compile(anchored ? glob : "(?:.*/)?" + glob), negated, directoryOnly));
        }
    }

    /** Whether the file at this repository-relative path (with `/`) is left out of the artifact. */
    boolean excludes(String file) {
        String[] parts = file.split("/");
        boolean excluded = false;
        for (Rule rule : rules) {
            for (int n = 1; n <= parts.length; n++) {
                boolean directory = n < parts.length;
                if ((directory || !rule.directoryOnly())
                        && rule.pattern().matcher(String.join("/", List.of(parts).subList(0, n))).matches()) {
                    excluded = !rule.negated();
                    break;
                }
            }
        }
        return excluded;
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
