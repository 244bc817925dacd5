package io.omnii.server.auth;

import java.util.Collection;
import java.util.Set;

/**
 * Which instances a caller may see and act on: those carrying at least one of {@link #tags()}, or all of them when
 * the set is empty ({@link #ALL}). An account cannot be limited to "no tags at all"; that would be an account with
 * nothing to do.
 */
public record Scope(Set<String> tags) {

    public static final Scope ALL = new Scope(Set.of());

    public Scope {
        tags = Set.copyOf(tags);
    }

    public static Scope of(Collection<String> tags) {
        return tags == null || tags.isEmpty() ? ALL : new Scope(Set.copyOf(tags));
    }

    public boolean unrestricted() {
        return tags.isEmpty();
    }

    /** Whether an instance carrying {@code instanceTags} is inside this scope. */
    public boolean admits(Collection<String> instanceTags) {
        return unrestricted() || instanceTags.stream().anyMatch(tags::contains);
    }

    /** Whether every instance this scope admits is also admitted by {@code outer}: a token may not reach further than its owner. */
    public boolean within(Scope outer) {
        return outer.unrestricted() || (!unrestricted() && outer.tags.containsAll(tags));
    }

    /** The tags as a SQL array parameter ({@code tags && ?}); meaningless for {@link #ALL}, which needs no filter. */
    public String[] tagArray() {
        return tags.stream().sorted().toArray(String[]::new);
    }
}
