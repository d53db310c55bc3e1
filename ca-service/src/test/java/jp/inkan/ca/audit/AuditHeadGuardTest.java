package jp.inkan.ca.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import jp.inkan.common.audit.AuditTable;
import jp.inkan.common.jdbc.StatementPart;
import org.junit.jupiter.api.Test;

/**
 * Entries chained onto a head the writer remembers go in only while that head is still the
 * chain's head: after anybody else appended, the guarded insert inserts nothing (no error), and
 * the chain stays intact either way.
 */
@QuarkusTest
class AuditHeadGuardTest {

    @Inject
    AuditLog audit;

    @Inject
    DataSource dataSource;

    @Test
    void aGuardedInsertGoesInOntoTheHeadItWasChainedOntoAndNotOntoAMovedOne() throws Exception {
        AuditTable.Head head;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            AuditTable.Insert first = audit.locked(connection, entries("onto the head read under the lock"));
            try (PreparedStatement insert = connection.prepareStatement(first.sql())) {
                first.bind(insert, 1);
                assertEquals(2, insert.executeUpdate());
            }
            connection.commit();
            head = first.last();
        }
        head = appendGuarded(head); // nothing else appended since: goes in
        AuditTable.Head afterGuarded = head;

        audit.record("test", "test.other-writer", "moves the head", "appended by somebody else");
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            AuditTable.Insert stale = audit.chainedOnto(afterGuarded, entries("onto a moved head"));
            assertEquals(0, execute(connection, audit.lock(), stale.ifHeadIs(afterGuarded)),
                    "nothing inserted onto a head that moved");
            connection.commit();
        }
        AuditLog.Verification verification = audit.verify();
        assertTrue(verification.intact(), "chain intact: " + verification.breaks());
    }

    /**
     * The guard runs on every batch: with the generic plan PostgreSQL gives a prepared statement
     * after a few runs, it must still find the head by the key, not by scanning the whole trail.
     */
    @Test
    void theGuardReadsTheHeadByTheKeyEvenUnderAGenericPlan() throws Exception {
        audit.record("test", "test.guard-plan", "a head to guard", "appended first");
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            AuditTable.Insert first = audit.locked(connection, entries("read the head"));
            connection.rollback();
            AuditTable.Head head = new AuditTable.Head(first.rows().get(0).seq() - 1, first.rows().get(0).prevHash());
            try (PreparedStatement generic = connection.prepareStatement("set local plan_cache_mode = force_generic_plan")) {
                generic.execute();
            }
            AuditTable.Insert insert = audit.chainedOnto(head, entries("under a generic plan"));
            // The backend's counts not yet flushed to the statistics include earlier transactions': compare.
            long scansBefore = sequentialScansOfTheTrail(connection);
            assertEquals(2, execute(connection, audit.lock(), insert.ifHeadIs(head)));
            assertEquals(scansBefore, sequentialScansOfTheTrail(connection), "sequential scans of audit_log");
            connection.rollback();
        }
    }

    private static long sequentialScansOfTheTrail(Connection connection) throws SQLException {
        try (PreparedStatement scans = connection.prepareStatement(
                "select seq_scan from pg_stat_xact_user_tables where relname = 'audit_log'");
             java.sql.ResultSet row = scans.executeQuery()) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    private AuditTable.Head appendGuarded(AuditTable.Head head) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            AuditTable.Insert insert = audit.chainedOnto(head, entries("onto the remembered head"));
            assertEquals(2, execute(connection, audit.lock(), insert.ifHeadIs(head)), "both entries inserted");
            connection.commit();
            return insert.last();
        }
    }

    /** Runs the lock and the guarded insert as one multi-statement; the insert's update count. */
    private static int execute(Connection connection, StatementPart lock, StatementPart insert) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(StatementPart.joined(lock, insert))) {
            StatementPart.bindAll(statement, lock, insert);
            statement.execute();
            statement.getMoreResults();
            return statement.getUpdateCount();
        }
    }

    private static List<AuditLog.Entry> entries(String detail) {
        return List.of(new AuditLog.Entry("test", "test.guarded", "first", detail),
                new AuditLog.Entry("test", "test.guarded", "second", detail));
    }
}
