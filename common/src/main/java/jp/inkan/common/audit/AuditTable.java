package jp.inkan.common.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jp.inkan.common.jdbc.StatementPart;

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
    private final String lockAndHeadSql;
    private final Clock clock;

    /** {@code table} is a fixed identifier of the service's own schema, never input. */
    public AuditTable(String table, long lockKey, Clock clock) {
        this.table = requireTableName(table);
        this.lockAndHeadSql = LOCK_SQL + "; " + HEAD_SQL.formatted(table);
        this.lockKey = lockKey;
        this.clock = clock;
    }

    /** Appends within the caller's transaction (autocommit off); returns the last entry's number. */
    public long append(Connection connection, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return 0;
        }
        Insert insert = locked(connection, entries);
        // PostgreSQL takes at most 65,535 parameters per statement: 8 per row.
        for (int from = 0; from < insert.rows().size(); from += MAX_ROWS_PER_INSERT) {
            Insert part = new Insert(table, insert.rows().subList(from,
                    Math.min(insert.rows().size(), from + MAX_ROWS_PER_INSERT)));
            try (PreparedStatement statement = connection.prepareStatement(part.sql())) {
                part.bind(statement, 1);
                statement.executeUpdate();
            }
        }
        return insert.lastSeq();
    }

    /**
     * Takes the chain's lock (held until the caller's transaction ends) and chains {@code entries}
     * onto the head, without writing them: the caller sends the returned insert, in this
     * transaction, together with its own change (see {@link StatementPart}). The lock and the head
     * are one round trip of two statements, so the head is read after the lock is held.
     */
    public Insert locked(Connection connection, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("nothing to append");
        }
        Head head = new Head(0, AuditChain.GENESIS);
        // Prepared, not a plain Statement: the driver then keeps both plans on the server instead
        // of having them planned again for every batch.
        try (PreparedStatement statement = connection.prepareStatement(lockAndHeadSql)) {
            statement.setLong(1, lockKey);
            statement.execute();
            if (!statement.getMoreResults()) {
                throw new SQLException("no chain head result after the advisory lock");
            }
            try (ResultSet row = statement.getResultSet()) {
                if (row.next()) {
                    head = new Head(row.getLong(1), row.getBytes(2));
                }
            }
        }
        return chainedOnto(head, entries);
    }

    /** The chain's last entry: its number and hash (number 0 and the genesis hash for an empty chain). */
    public record Head(long seq, byte[] hash) {
    }

    /** Takes the chain's lock, held until the transaction ends: the first statement of a {@link #chainedOnto} write. */
    public StatementPart lock() {
        return new StatementPart() {
            @Override
            public String sql() {
                return LOCK_SQL;
            }

            @Override
            public int bind(PreparedStatement statement, int first) throws SQLException {
                statement.setLong(first, lockKey);
                return first + 1;
            }
        };
    }

    /**
     * Chains {@code entries} onto a head the caller already knows (one it wrote itself), without
     * reading it: send {@link Insert#ifHeadIs} after {@link #lock()} in one transaction, and commit
     * only if it inserted every entry; otherwise another writer moved the head, so roll back and
     * append with {@link #locked}.
     */
    public Insert chainedOnto(Head head, List<Entry> entries) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("nothing to append");
        }
        long seq = head.seq() + 1;
        byte[] prev = head.hash();
        Instant at = AuditChain.storable(clock.instant());
        List<AuditChain.Entry> rows = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            byte[] hash = AuditChain.hash(seq, at, e.actor(), e.action(), e.subject(), e.detail(), prev);
            rows.add(new AuditChain.Entry(seq, at, e.actor(), e.action(), e.subject(), e.detail(), prev, hash));
            prev = hash;
            seq++;
        }
        return new Insert(table, rows);
    }

    /** Chained entries ready to insert: one multi-row statement. */
    public record Insert(String table, List<AuditChain.Entry> rows) implements StatementPart {

        public Insert {
            requireTableName(table);
            rows = List.copyOf(rows);
        }

        public long lastSeq() {
            return rows.get(rows.size() - 1).seq();
        }

        /** The head once these entries are in. */
        public Head last() {
            AuditChain.Entry last = rows.get(rows.size() - 1);
            return new Head(last.seq(), last.entryHash());
        }

        @Override
        public String sql() {
            return StatementPart.multiRowInsert(insertInto(table) + " values", ROW, rows.size());
        }

        /**
         * This insert, made only if the chain's head is still {@code expected} when it runs (its
         * number, its hash, nothing after it): otherwise it inserts nothing, and says so by its
         * update count, rather than failing the transaction on a duplicate number.
         */
        public StatementPart ifHeadIs(Head expected) {
            Insert insert = this;
            return new StatementPart() {
                @Override
                public String sql() {
                    return StatementPart.multiRowInsertWhere(insertInto(table), ROW, rows.size(), headIs(table));
                }

                @Override
                public int bind(PreparedStatement statement, int first) throws SQLException {
                    int p = insert.bind(statement, first);
                    statement.setLong(p++, expected.seq());
                    statement.setLong(p++, expected.seq());
                    statement.setBytes(p++, expected.hash());
                    return p;
                }
            };
        }

        @Override
        public int bind(PreparedStatement statement, int first) throws SQLException {
            int p = first;
            for (AuditChain.Entry e : rows) {
                statement.setLong(p++, e.seq());
                statement.setObject(p++, e.at().atOffset(ZoneOffset.UTC));
                statement.setString(p++, e.actor());
                statement.setString(p++, e.action());
                statement.setString(p++, e.subject());
                statement.setString(p++, e.detail());
                statement.setBytes(p++, e.prevHash());
                statement.setBytes(p++, e.entryHash());
            }
            return p;
        }
    }

    private static final java.util.regex.Pattern TABLE_NAME = java.util.regex.Pattern.compile("[a-z_]+");

    /** The table name goes into SQL text: only a plain lower-case identifier is accepted. */
    private static String requireTableName(String table) {
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("not a table name: " + table);
        }
        return table;
    }

    private static final int MAX_ROWS_PER_INSERT = 1_000;
    private static final String LOCK_SQL = "select pg_advisory_xact_lock(?)";
    private static final String COLUMNS = " (seq, at, actor, action, subject, detail, prev_hash, entry_hash)";

    /** Concatenated rather than formatted: an issuance batch builds these. */
    private static String insertInto(String table) {
        return "insert into " + table + COLUMNS;
    }

    /**
     * max(seq) and an equality on seq, not "nothing after seq": a prepared statement's generic plan
     * reads "seq > ?" as a third of the table and scans it all, where max() always takes the key's
     * last entry.
     */
    private static String headIs(String table) {
        return "(select max(seq) from " + table + ") = ? and (select entry_hash from " + table + " where seq = ?) = ?";
    }

    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String HEAD_SQL = "select seq, entry_hash from %s order by seq desc limit 1";

    /** The newest entry's number and hash (chain {@link AuditAnchor#MAIN}), to seal or anchor. */
    public Optional<AuditAnchor> head(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(HEAD_SQL.formatted(table));
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
