package io.omnii.server.audit;

import io.agroal.api.AgroalDataSource;
import io.omnii.server.audit.Verification.BrokenLink;
import io.omnii.server.audit.Verification.Reason;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * Walks the audit chain in seq order and recomputes every hash and link (docs/security.md, "Audit log"). Reads
 * {@link #CHUNK} entries at a time, so memory stays the same at any length, all in one read-only snapshot: entries
 * appended or purged meanwhile neither show as a break nor hide one.
 */
@ApplicationScoped
public class AuditVerifier {

    static final int CHUNK = 1000;
    private static final String COLUMNS = "seq, at, actor_kind, actor_id, actor_name, actor_role, address, request_id,"
            + " action, target_type, target_id, target_tags, outcome, detail::text, prev_hash, hash";

    private final AgroalDataSource dataSource;

    AuditVerifier(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    // Plain JDBC: one snapshot transaction (REPEATABLE READ) over many chunked reads, nothing kept in a persistence
    // context, and the columns exactly as stored.
    public Verification verify() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            try {
                return walk(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading the audit chain failed", e);
        }
    }

    private Verification walk(Connection c) throws SQLException {
        long entries = 0;
        Long firstSeq = null;
        long lastSeq = 0;
        String lastHash = null;
        BrokenLink broken = null;
        try (PreparedStatement chunk = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM audit_entry WHERE seq > ? ORDER BY seq LIMIT " + CHUNK)) {
            int read;
            do {
                chunk.setLong(1, lastSeq);
                read = 0;
                try (ResultSet rs = chunk.executeQuery()) {
                    while (rs.next()) {
                        read++;
                        ChainedEntry entry = entry(rs);
                        String hash = rs.getString(16);
                        if (firstSeq == null) {
                            firstSeq = entry.seq();
                            broken = start(c, entry);
                        } else if (broken == null) {
                            broken = link(entry, lastSeq, lastHash);
                        }
                        if (broken == null && !entry.seal().equals(hash)) {
                            broken = new BrokenLink(entry.seq(), Reason.CONTENT_CHANGED);
                        }
                        entries++;
                        lastSeq = entry.seq();
                        lastHash = hash;
                    }
                }
            } while (read == CHUNK);
        }
        return new Verification(broken == null, entries, firstSeq, firstSeq == null ? null : lastSeq, lastHash,
                broken);
    }

    /** An entry against the one before it: the next seq, linked to that entry's hash. */
    private static BrokenLink link(ChainedEntry entry, long previousSeq, String previousHash) {
        if (entry.seq() != previousSeq + 1) {
            return new BrokenLink(previousSeq + 1, Reason.GAP);
        }
        return entry.prevHash().equals(previousHash) ? null : new BrokenLink(entry.seq(), Reason.LINK_BROKEN);
    }

    /**
     * The first entry either starts the chain (seq 1, linked to the genesis hash) or follows a recorded purge: an
     * audit.purge entry through the seq before it, continuing from its previous hash. Otherwise entries are missing
     * from just after the last recorded purge (or from seq 1), or the link was changed.
     */
    private static BrokenLink start(Connection c, ChainedEntry first) throws SQLException {
        long expected = 1;
        String expectedHash = ChainedEntry.GENESIS;
        try (PreparedStatement purges = c.prepareStatement(
                "SELECT detail::text FROM audit_entry WHERE action = ? ORDER BY seq DESC")) {
            purges.setString(1, AuditAction.AUDIT_PURGE.wire());
            try (ResultSet rs = purges.executeQuery()) {
                while (rs.next()) {
                    PurgeRecord purge = PurgeRecord.parse(rs.getString(1));
                    if (purge != null && purge.throughSeq() < first.seq() && purge.throughSeq() + 1 >= expected) {
                        expected = purge.throughSeq() + 1;
                        expectedHash = purge.continuesFrom();
                    }
                }
            }
        }
        if (first.seq() != expected) {
            return new BrokenLink(expected, Reason.GAP);
        }
        return first.prevHash().equals(expectedHash) ? null : new BrokenLink(first.seq(), Reason.LINK_BROKEN);
    }

    private static ChainedEntry entry(ResultSet rs) throws SQLException {
        Array tags = rs.getArray(12);
        List<String> tagList = tags == null ? List.of() : Arrays.asList((String[]) tags.getArray());
        return new ChainedEntry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                rs.getString(10), rs.getString(11), tagList, rs.getString(13), CanonicalJson.of(rs.getString(14)),
                rs.getString(15));
    }
}
