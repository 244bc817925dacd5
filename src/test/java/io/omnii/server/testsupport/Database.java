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
        execute("TRUNCATE enrollment_code, enrollment_throttle, command_batch, instance, instance_event, "
                + "user_account, sign_in_throttle CASCADE");
        execute("UPDATE instance_count SET n = 0"); // TRUNCATE bypasses what keeps the counts
    }
}
