package io.omnii.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The audit table as a test with the table owner's rights sees it: plain SQL, and changes past its triggers. */
@ApplicationScoped
class AuditTable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgroalDataSource dataSource;

    AuditTable(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    void reset() {
        tamper("TRUNCATE audit_entry");
    }

    /** Runs the SQL with the table's triggers off, as the table's owner could; they are back on after it. */
    void tamper(String sql) {
        try {
            execute("ALTER TABLE audit_entry DISABLE TRIGGER USER; " + sql
                    + "; ALTER TABLE audit_entry ENABLE TRIGGER USER");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the SQL (statements separated by ";") in one transaction, as the application would, triggers on. */
    void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute(sql);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Each row's columns, as the driver gives them. */
    List<List<Object>> rows(String sql) {
        List<List<Object>> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    long count() {
        return ((Number) rows("SELECT count(*) FROM audit_entry").get(0).get(0)).longValue();
    }

    /** The newest entry's seq, 0 when there is none. */
    long head() {
        return ((Number) rows("SELECT coalesce(max(seq), 0) FROM audit_entry").get(0).get(0)).longValue();
    }

    /** Every entry after this seq, oldest first, each as its whole row in JSON (what a secret must never be in). */
    List<JsonNode> entriesAfter(long seq) {
        List<JsonNode> entries = new ArrayList<>();
        for (List<Object> row : rows("SELECT row_to_json(a)::text FROM audit_entry a WHERE seq > " + seq
                + " ORDER BY seq")) {
            try {
                entries.add(JSON.readTree((String) row.get(0)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return entries;
    }
}
