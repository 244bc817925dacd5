package io.omnii.server.testsupport;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;

/** Plain JDBC on the server's own datasource, for tests that check or reset rows directly. */
@ApplicationScoped
public class Database {

    private final AgroalDataSource dataSource;

    Database(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void execute(String sql) {
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long count(String sql) {
        try (Connection c = dataSource.getConnection(); var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Empties every table the tests write to; throttle buckets too, so tests do not throttle each other. */
    public void reset() {
        String truncate = "TRUNCATE enrollment_code, enrollment_throttle, command_batch, instance, instance_event, "
                + "user_account, sign_in_throttle CASCADE";
        // The TRUNCATE locks its tables one by one, and a transaction the server is still finishing for the previous
        // test (a page's last request, a write) may hold one and wait for another: PostgreSQL then picks one of the
        // two to fail. Ours goes again.
        for (int attempt = 1;; attempt++) {
            try {
                execute(truncate);
                break;
            } catch (IllegalStateException e) {
                if (attempt == 3 || !(e.getCause() instanceof SQLException sql && "40P01".equals(sql.getSQLState()))) {
                    throw e;
                }
            }
        }
        execute("UPDATE instance_count SET n = 0"); // TRUNCATE bypasses what keeps the counts
    }
}
