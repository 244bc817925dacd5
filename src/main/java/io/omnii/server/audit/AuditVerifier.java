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
                        if (broken == null) {
                            broken = check(c, entry, hash, firstSeq == null, lastSeq, lastHash);
                        }
                        if (firstSeq == null) {
                            firstSeq = entry.seq();
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

    /**
     * One entry: first whether entries are missing before it, then whether its content still matches its hash, then
     * whether it links to the entry before it (or, the first one, to the chain's start).
     */
    private static BrokenLink check(Connection c, ChainedEntry entry, String hash, boolean first, long previousSeq,
            String previousHash) throws SQLException {
        Start start = first ? start(c, entry.seq()) : new Start(previousSeq + 1, previousHash);
        if (entry.seq() != start.seq()) {
            return new BrokenLink(start.seq(), Reason.GAP);
        }
        if (!entry.seal().equals(hash)) {
            return new BrokenLink(entry.seq(), Reason.CONTENT_CHANGED);
        }
        return entry.prevHash().equals(start.prevHash()) ? null : new BrokenLink(entry.seq(), Reason.LINK_BROKEN);
    }

    /** Where an entry should be, and what it should link to. */
    private record Start(long seq, String prevHash) {
    }

    /**
     * Where the first entry should be: seq 1, linked to the genesis hash, unless a recorded purge (an audit.purge
     * entry) deleted the entries before it; then just after the last such purge, linked to the hash it continues
     * from.
     */
    private static Start start(Connection c, long firstSeq) throws SQLException {
        Start start = new Start(1, ChainedEntry.GENESIS);
        try (PreparedStatement purges = c.prepareStatement(
                "SELECT detail::text FROM audit_entry WHERE action = ? ORDER BY seq")) {
            purges.setString(1, AuditAction.AUDIT_PURGE.wire());
            try (ResultSet rs = purges.executeQuery()) {
                while (rs.next()) {
                    PurgeRecord purge = PurgeRecord.parse(rs.getString(1));
                    if (purge != null && purge.throughSeq() < firstSeq && purge.throughSeq() + 1 >= start.seq()) {
                        start = new Start(purge.throughSeq() + 1, purge.continuesFrom());
                    }
                }
            }
        }
        return start;
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
