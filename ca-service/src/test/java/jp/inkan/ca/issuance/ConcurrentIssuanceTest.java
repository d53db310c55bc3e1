package jp.inkan.ca.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.testing.Csrs;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
import org.junit.jupiter.api.Test;

/** Many threads issuing from both CAs at once: every certificate recorded, no serial twice. */
@QuarkusTest
class ConcurrentIssuanceTest {

    static final int THREADS = 8;
    static final int PER_THREAD = 12;

    @Inject
    IssuanceService issuance;

    @Inject
    CertificateStore store;

    @Test
    void concurrentIssuanceNeverDuplicatesASerial() throws Exception {
        List<IssuanceRequest> requests = alternatingRequests();
        long before = store.total();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<IssuedCertificate>> futures = new ArrayList<>();
        for (IssuanceRequest request : requests) {
            futures.add(pool.submit(() -> issuance.issue(request)));
        }
        Set<String> serials = new HashSet<>();
        for (Future<IssuedCertificate> future : futures) {
            IssuedCertificate issued = future.get(2, TimeUnit.MINUTES);
            assertTrue(serials.add(issued.type() + "/" + issued.serial()), "duplicate serial " + issued.serial());
            assertTrue(store.find(issued.type(), issued.serial()).isPresent(), "recorded before returned");
        }
        pool.shutdown();
        assertEquals(requests.size(), serials.size());
        assertEquals(before + requests.size(), store.total());
    }

    @Inject
    AuditLog audit;

    @Inject
    DataSource dataSource;

    /**
     * The inventory writer records concurrent certificates in shared batches, each with its event
     * and audit entry. Batches holding a reused key cannot be written whole, and other audit entries
     * (recorded on their own, as refusals are) land between batches: every recorded certificate must
     * still have exactly one event and one audit entry, refused ones none, and the chain verify.
     */
    @Test
    void batchesAroundOtherAuditEntriesAndConflictsKeepOneEventAndEntryPerCertificate() throws Exception {
        List<IssuanceRequest> requests = alternatingRequests();
        // every eighth request repeats an earlier one's key: refused, while its batch-mates are recorded
        int repeats = 0;
        for (int i = 8; i < requests.size(); i += 8, repeats++) {
            requests.set(i, Requests.typical(requests.get(i).type(), requests.get(i - 7).csr()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        List<Future<IssuedCertificate>> futures = new ArrayList<>();
        for (IssuanceRequest request : requests) {
            futures.add(pool.submit(() -> issuance.issue(request)));
        }
        Future<?> interloper = pool.submit(() -> {
            for (int i = 0; i < 20; i++) {
                audit.record("test", "test.interleaved", "entry " + i, "appended between issuance batches");
                Thread.sleep(5);
            }
            return null;
        });
        List<IssuedCertificate> issued = new ArrayList<>();
        int refused = 0;
        for (Future<IssuedCertificate> future : futures) {
            try {
                issued.add(future.get(2, TimeUnit.MINUTES));
            } catch (java.util.concurrent.ExecutionException e) {
                assertEquals(jp.inkan.ca.error.CaException.Kind.KEY_REUSED,
                        ((jp.inkan.ca.error.CaException) e.getCause()).kind());
                refused++;
            }
        }
        interloper.get(1, TimeUnit.MINUTES);
        pool.shutdown();
        assertEquals(repeats, refused, "one of each pair sharing a key is refused");
        assertEquals(requests.size(), issued.size() + refused);
        try (Connection connection = dataSource.getConnection()) {
            for (IssuedCertificate certificate : issued) {
                assertEquals(1, count(connection, "select count(*) from audit_log where action = 'certificate.issued'"
                        + " and subject = ?", certificate.type() + " " + certificate.serial()), "one audit entry");
                assertEquals(1, count(connection, "select count(*) from outbox_event where payload like ?",
                        "%\"serial\":\"" + certificate.serial() + "\"%"), "one event");
            }
        }
        AuditLog.Verification verification = audit.verify();
        assertTrue(verification.intact(), "audit chain intact: " + verification.breaks());
    }

    /**
     * Requests for both CAs in turn, keys made first (RSA key generation is the slow part) so the
     * issuance itself overlaps.
     */
    private static List<IssuanceRequest> alternatingRequests() {
        List<IssuanceRequest> requests = new ArrayList<>();
        for (int i = 0; i < THREADS * PER_THREAD; i++) {
            CertificateType type = i % 2 == 0 ? CertificateType.SIGNATURE : CertificateType.AUTHENTICATION;
            requests.add(Requests.typical(type, Csrs.freshRsa()));
        }
        return requests;
    }

    private static long count(Connection connection, String sql, String value) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, value);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
