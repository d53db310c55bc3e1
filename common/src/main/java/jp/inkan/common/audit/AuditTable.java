package jp.inkan.common.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * An {@link AuditChain} stored in a PostgreSQL table of the shape of ca-service's V8
 * {@code audit_log} (seq, at, actor, action, subject, detail, prev_hash, entry_hash), append-only by
 * triggers. Appends join the caller's transaction and are serialised on a transaction-scoped
 * advisory lock, so entries get consecutive numbers in commit order.
 */
public final class AuditTable {

    /** One entry to append. */
    public record Entry(String actor, String action, String subject, String detail) {
    }

    private final String table;
    private final long lockKey;
    private final Clock clock;

    /** {@code table} is a fixed identifier of the service's own schema, never input. */
    public AuditTable(String table, long lockKey, Clock clock) {
        if (!table.matches("[a-z_]+")) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        this.table = table;
        this.lockKey = lockKey;
        this.clock = clock;
    }

    /** Appends within the caller's transaction (autocommit off); returns the last entry's number. */
    public long append(Connection connection, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return 0;
        }
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, lockKey);
            lock.execute();
        }
        long seq = 1;
        byte[] prev = AuditChain.GENESIS;
        Optional<AuditAnchor> head = head(connection);
        if (head.isPresent()) {
            seq = head.get().seq() + 1;
            prev = head.get().hashBytes();
        }
        Instant at = AuditChain.storable(clock.instant());
        try (PreparedStatement insert = connection.prepareStatement("insert into " + table
                + " (seq, at, actor, action, subject, detail, prev_hash, entry_hash) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Entry e : entries) {
                byte[] hash = AuditChain.hash(seq, at, e.actor(), e.action(), e.subject(), e.detail(), prev);
                insert.setLong(1, seq);
                insert.setObject(2, at.atOffset(ZoneOffset.UTC));
                insert.setString(3, e.actor());
                insert.setString(4, e.action());
                insert.setString(5, e.subject());
                insert.setString(6, e.detail());
                insert.setBytes(7, prev);
                insert.setBytes(8, hash);
                insert.addBatch();
                prev = hash;
                seq++;
            }
            insert.executeBatch();
        }
        return seq - 1;
    }

    /** The newest entry's number and hash (chain {@link AuditAnchor#MAIN}), to seal or anchor. */
    public Optional<AuditAnchor> head(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "select seq, entry_hash from " + table + " order by seq desc limit 1");
             ResultSet row = query.executeQuery()) {
            return row.next() ? Optional.of(AuditAnchor.of(AuditAnchor.MAIN, row.getLong(1), row.getBytes(2)))
                    : Optional.empty();
        }
    }

    /** Feeds every stored entry, in order, to {@code verifier} (streamed; autocommit must be off to stream). */
    public void readInto(Connection connection, AuditChain.Verifier verifier) throws SQLException {
        try (PreparedStatement entries = connection.prepareStatement(
                "select seq, at, actor, action, subject, detail, prev_hash, entry_hash from " + table + " order by seq")) {
            entries.setFetchSize(1000);
            try (ResultSet row = entries.executeQuery()) {
                while (row.next()) {
                    verifier.accept(new AuditChain.Entry(row.getLong(1), row.getObject(2, OffsetDateTime.class).toInstant(),
                            row.getString(3), row.getString(4), row.getString(5), row.getString(6), row.getBytes(7),
                            row.getBytes(8)));
                }
            }
        }
    }
}
