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
        // keys first (RSA key generation is the slow part), so the issuance itself overlaps
        List<IssuanceRequest> requests = new ArrayList<>();
        for (int i = 0; i < THREADS * PER_THREAD; i++) {
            CertificateType type = i % 2 == 0 ? CertificateType.SIGNATURE : CertificateType.AUTHENTICATION;
            requests.add(Requests.typical(type, Csrs.freshRsa()));
        }
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
}
