package io.omnii.server.auth;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

@ConfigMapping(prefix = "omnii.admin")
public interface AdminConfig {

    /** Bearer token for the admin API; at least 16 characters. The server will not start without it. */
    Optional<String> token();
}
