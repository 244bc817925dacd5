package io.omnii.server.testsupport;

import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;

/** Base of the HTTP tests: every test starts with empty tables and the clock at real time. */
public abstract class ServerTest {

    @Inject
    protected Database db;

    @Inject
    protected MutableClock clock;

    @BeforeEach
    void cleanSlate() {
        db.reset();
        clock.reset();
    }
}
