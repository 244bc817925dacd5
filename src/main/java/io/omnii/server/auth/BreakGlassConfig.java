package io.omnii.server.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What is recorded of the break-glass token's use (its own mapping: AdminConfig stays the token alone). */
@ConfigMapping(prefix = "omnii.admin.break-glass")
public interface BreakGlassConfig {

    /**
     * Whether the token's use is recorded in the audit log (auth.break_glass_used, at most once per client address
     * every ten minutes on each replica).
     */
    @WithDefault("true")
    boolean audit();
}
