package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import jp.inkan.common.CertificateType;
import jp.inkan.crl.publish.Publisher;
import jp.inkan.crl.store.CrlStore;
import jp.inkan.crl.testing.Ca;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import jp.inkan.testing.LocalEnv;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CRL numbers: strictly increasing per scope, never one number for two contents, across a crash
 * between allocation and file write and across concurrent publishers on one database.
 */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class CrlNumberingTest {

    static final String CHIYODA = "131016";
    static final String PATH = "/crl/signature/g01/" + CHIYODA + ".crl";

    @Inject
    Publisher publisher;

    @Inject
    CrlStore store;

    @Inject
    DataSource db;

    @AfterEach
    void noFaults() {
        publisher.setFaults(null);
    }

    CrlStore.Scope scope() {
        publisher.refresh();
        return store.scopes().stream().filter(s -> s.ca() == CertificateType.SIGNATURE && s.generation() == 1
                && s.partition().equals(CHIYODA)).findFirst().orElseThrow();
    }

    @Test
    void aCrashBetweenAllocationAndInstallLeavesThePreviousCrlServedAndTheSequenceIntact() throws Exception {
        Ca.Issued issued = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        Ca.revoke(issued, CHIYODA, "keyCompromise", null);
        Crls.awaitStatus(db, issued.serial(), "R");
        CrlStore.Scope scope = scope();
        publisher.publish(scope, CrlStore.Kind.COMPLETE, true).orElseThrow();
        byte[] before = Crls.fetch(PATH);
        BigInteger served = Crls.number(Crls.parse(before));
        String etag = Crls.get(PATH).header("ETag");

        // Die right after the number was committed, then after ca-service signed, then after the file was written.
        List<BigInteger> lost = new ArrayList<>();
        for (String stage : List.of("allocated", "signed", "written")) {
            publisher.setFaults(s -> {
                if (s.equals(stage)) {
                    throw new IllegalStateException("simulated crash at " + s);
                }
            });
            IllegalStateException crash = assertThrows(IllegalStateException.class,
                    () -> publisher.publish(scope(), CrlStore.Kind.COMPLETE, true));
            assertTrue(crash.getMessage().contains(stage), crash.getMessage());
            byte[] now = Crls.fetch(PATH);
            assertTrue(java.util.Arrays.equals(before, now), "the previous CRL is still served after a crash at " + stage);
            assertEquals(etag, Crls.get(PATH).header("ETag"));
            lost.add(lastAllocated(scope.id()));
            try (var files = java.nio.file.Files.list(publisher.target(scope, CrlStore.Kind.COMPLETE).getParent())) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp-")), "no temporary file left");
            }
        }
        publisher.setFaults(null);
        Publisher.Published next = publisher.publish(scope(), CrlStore.Kind.COMPLETE, true).orElseThrow();
        X509CRLHolder after = Crls.parse(Crls.fetch(PATH));
        BigInteger afterNumber = Crls.number(after);
        assertEquals(next.number(), afterNumber);
        for (BigInteger number : lost) {
            assertTrue(number.compareTo(served) > 0 && afterNumber.compareTo(number) > 0,
                    "abandoned " + number + " lies between " + served + " and " + afterNumber);
        }
        assertEquals(served.add(BigInteger.valueOf(4)), afterNumber, "three numbers burnt, none reused");
        assertOneContentPerNumber();
    }

    @Test
    void concurrentPublishersNeverShareANumber() throws Exception {
        CrlStore.Scope scope = scope();
        publisher.publish(scope, CrlStore.Kind.COMPLETE, true).orElseThrow(); // deltas need a base
        int threads = 4;
        int each = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Publisher.Published>>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            futures.add(pool.submit(() -> {
                start.await();
                List<Publisher.Published> out = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    CrlStore.Kind kind = (index + i) % 2 == 0 ? CrlStore.Kind.COMPLETE : CrlStore.Kind.DELTA;
                    Optional<Publisher.Published> p = publisher.publish(scope, kind, true);
                    p.ifPresent(out::add);
                }
                return out;
            }));
        }
        start.countDown();
        List<Publisher.Published> all = new ArrayList<>();
        for (Future<List<Publisher.Published>> f : futures) {
            all.addAll(f.get());
        }
        pool.shutdown();
        Set<BigInteger> numbers = new HashSet<>();
        for (Publisher.Published p : all) {
            assertTrue(numbers.add(p.number()), "number " + p.number() + " published twice");
        }
        assertEquals(threads * each, all.size());
        BigInteger newestServed = all.stream().filter(p -> p.served() && p.kind() == CrlStore.Kind.COMPLETE)
                .map(Publisher.Published::number).max(BigInteger::compareTo).orElseThrow();
        // What is served is never older than the newest complete CRL that won the race.
        assertTrue(Crls.number(Crls.parse(Crls.fetch(PATH))).compareTo(newestServed) >= 0);
        assertOneContentPerNumber();
    }

    @Test
    void aSecondPublisherInstanceOnTheSameDatabaseGetsOtherNumbers() throws Exception {
        // Two replicas share nothing but PostgreSQL: allocate through two connections at once.
        CrlStore.Scope scope = scope();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<BigInteger>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return store.allocate(scope.id(), CrlStore.Kind.COMPLETE, true, java.time.Instant.now(),
                        java.time.Duration.ZERO).orElseThrow().number();
            }));
        }
        start.countDown();
        Set<BigInteger> numbers = new HashSet<>();
        for (Future<BigInteger> f : futures) {
            assertTrue(numbers.add(f.get()));
        }
        pool.shutdown();
        assertEquals(20, numbers.size());
    }

    private BigInteger lastAllocated(long scopeId) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement select = c.prepareStatement("select last_number, published_number from crl_scope where id = ?")) {
            select.setLong(1, scopeId);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1).toBigIntegerExact();
            }
        }
    }

    /** ca-service's own record: every (generation, scope, number) it signed has one TBS digest. */
    private static void assertOneContentPerNumber() throws Exception {
        Map<String, String> env = LocalEnv.env();
        try (Connection c = DriverManager.getConnection(env.get("INKAN_CA_DB_TEST_URL"), env.get("INKAN_CA_DB_USER"),
                env.get("INKAN_CA_DB_PASSWORD"));
             PreparedStatement select = c.prepareStatement("""
                     select key_generation_id, encode(scope_sha256, 'hex'), crl_number, count(distinct tbs_sha256)
                     from signed_crl group by 1, 2, 3""");
             ResultSet rs = select.executeQuery()) {
            Map<String, Long> counts = new HashMap<>();
            while (rs.next()) {
                counts.put(rs.getLong(1) + "/" + rs.getString(2) + "/" + rs.getBigDecimal(3), rs.getLong(4));
            }
            assertTrue(!counts.isEmpty());
            counts.forEach((k, n) -> assertEquals(1L, n, k));
        }
    }
}
