package jp.inkan.crl.audit;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.AuditChain;
import jp.inkan.common.audit.AuditTable;
import jp.inkan.common.jdbc.JdbcTransactions;

/**
 * crl-publisher's append-only audit trail ({@code audit_log}, chained by hash). It holds no HSM
 * key: {@link AuditTrail} anchors the chain head in ca-service's sealed chain, and
 * {@link #verify} checks the stored chain against those anchors.
 */
@ApplicationScoped
public class AuditLog {

    /** The outcome of checking the trail; {@code anchors} is -1 when ca-service could not be asked. */
    public record Verification(boolean intact, long entries, long lastSeq, long anchors, List<AuditChain.Break> breaks) {
    }

    private static final long CHAIN_LOCK = 0x4175646974L;

    private final DataSource dataSource;
    private final AuditTable table;

    public AuditLog(DataSource dataSource, Clock clock) {
        this.table = new AuditTable("audit_log", CHAIN_LOCK, clock);
        this.dataSource = dataSource;
    }

    /** Appends within the caller's transaction (autocommit off): the entry commits with the change. */
    public void append(Connection connection, String actor, String action, String subject, String detail)
            throws SQLException {
        table.append(connection, List.of(new AuditTable.Entry(actor, action, subject, detail)));
    }

    /** Appends entries in a transaction of their own. */
    public void record(List<AuditTable.Entry> entries) {
        JdbcTransactions.inTransaction(dataSource, connection -> {
            table.append(connection, entries);
            return null;
        }, e -> new IllegalStateException("The audit trail cannot be written: " + e.getMessage(), e));
    }

    public void record(String actor, String action, String subject, String detail) {
        record(List.of(new AuditTable.Entry(actor, action, subject, detail)));
    }

    public Optional<AuditAnchor> head() {
        try (Connection connection = dataSource.getConnection()) {
            return table.head(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("The audit trail cannot be read: " + e.getMessage(), e);
        }
    }

    /** Re-computes the chain; with {@code anchors} (null: not available) each must still match. */
    public Verification verify(List<AuditAnchor> anchors) {
        AuditChain.Verifier verifier = new AuditChain.Verifier();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                table.readInto(connection, verifier);
                connection.commit();
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The audit trail cannot be read: " + e.getMessage(), e);
        }
        if (anchors != null) {
            anchors.stream().filter(a -> AuditAnchor.MAIN.equals(a.chain()))
                    .forEach(a -> verifier.anchor(a.seq(), a.hashBytes()));
        }
        List<AuditChain.Break> breaks = verifier.breaks();
        return new Verification(breaks.isEmpty(), verifier.entries(), verifier.lastSeq(),
                anchors == null ? -1 : anchors.size(), breaks);
    }
}
