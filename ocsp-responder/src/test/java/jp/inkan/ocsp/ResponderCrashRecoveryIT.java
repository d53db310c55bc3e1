package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import jp.inkan.common.CertificateType;
import jp.inkan.ocsp.testing.CaClient;
import jp.inkan.ocsp.testing.Http;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.CardKeys;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.OcspRequests;
import jp.inkan.testing.ResponderProcess;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.Test;

/**
 * During a stream of 200 revocations the responder is SIGKILLed and restarted twice, the broker
 * once and ca-service once (its outbox relay re-publishes what it had not marked sent); afterwards every revocation ca-service acknowledged is answered as revoked, each
 * certificate's events were applied once each (revision 1 then 2, none twice), and restarts start
 * from the snapshot's offsets rather than from offset 0.
 */
class ResponderCrashRecoveryIT {

    static final int COUNT = 200;

    static long sum(Map<String, Integer> offsets) {
        return offsets.values().stream().mapToLong(Number::longValue).sum();
    }

    static Map<String, Integer> offsets(JsonPath stats, String field) {
        Map<String, Integer> map = stats.getMap(field);
        return map == null ? Map.of() : map;
    }

    @Test
    void noAcknowledgedRevocationIsLostAndNoneAppliedTwice() throws Exception {
        KafkaBroker broker = jp.inkan.ocsp.testing.Infrastructure.start();
        ResponderProcess responder = new ResponderProcess("crash", broker.bootstrapServers(), Map.of(
                "inkan.ocsp.store.snapshot-interval", "PT1S",
                "inkan.ocsp.store.lag-interval", "PT1S",
                "inkan.ocsp.store.broker-stale-after", "PT4S",
                "inkan.ocsp.store.track-applies", "true")).start().awaitReady(Duration.ofSeconds(120));
        try {
            List<CaClient.Issued> issued = Collections.synchronizedList(new ArrayList<>());
            new CardKeys(24).csrs(COUNT).parallelStream()
                    .forEach(csr -> issued.add(CaClient.issue(CertificateType.SIGNATURE, csr)));
            X509Certificate root = CaClient.issuerOf(issued.get(0).certificate());
            String issuerKeyId = Http.ski(root);
            // Every issuance reached the store before the revocations start.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (CaClient.Issued certificate : issued) {
                while (!"VALID".equals(responder.entry(issuerKeyId, certificate.serial()).getString("state"))) {
                    assertTrue(System.nanoTime() < deadline, "issuance events did not arrive");
                    Thread.sleep(50);
                }
            }

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger done = new AtomicInteger();
            CountDownLatch at50 = new CountDownLatch(1);
            CountDownLatch at100 = new CountDownLatch(1);
            CountDownLatch at150 = new CountDownLatch(1);
            CountDownLatch at175 = new CountDownLatch(1);
            Thread revoker = new Thread(() -> {
                for (CaClient.Issued certificate : issued) {
                    revokeUntilAcknowledged(certificate);
                    acknowledged.add(certificate.serial());
                    int n = done.incrementAndGet();
                    if (n == 50) {
                        at50.countDown();
                    } else if (n == 100) {
                        at100.countDown();
                    } else if (n == 150) {
                        at150.countDown();
                    } else if (n == 175) {
                        at175.countDown();
                    }
                    sleepQuietly(15);
                }
            }, "revoker");
            revoker.start();

            at50.await();
            responder.kill();
            responder.start().awaitReady(Duration.ofSeconds(120));
            JsonPath afterKill = responder.stats();
            long total = sum(offsets(afterKill, "endOffsetsAtStart"));
            long resumedFrom = sum(offsets(afterKill, "startOffsets"));
            assertTrue(resumedFrom > COUNT, "after SIGKILL the responder resumed from its snapshot (offsets "
                    + afterKill.getMap("startOffsets") + "), not from 0");
            assertTrue(afterKill.getLong("snapshotEntriesLoaded") >= COUNT, afterKill.prettify());
            assertTrue(afterKill.getLong("consumed") < total, afterKill.prettify());

            at100.await();
            broker.kill();
            Thread.sleep(2000); // revocations go on: ca-service keeps them in its outbox
            broker.restart();

            at150.await();
            responder.kill();
            responder.start();

            at175.await();
            // A crash of the publisher side: rows the relay sent but had not marked go out again.
            CaServiceProcess.kill();
            jp.inkan.ocsp.testing.Infrastructure.start();
            revoker.join();
            responder.awaitReady(Duration.ofSeconds(120));
            assertEquals(COUNT, acknowledged.size());

            awaitRevoked(responder, root, issued.stream().filter(c -> acknowledged.contains(c.serial())).toList(),
                    Duration.ofSeconds(60));
            for (CaClient.Issued certificate : issued) {
                JsonPath entry = responder.entry(issuerKeyId, certificate.serial());
                assertEquals("REVOKED", entry.getString("state"), certificate.serial());
                assertEquals(2, entry.getLong("revision"), certificate.serial());
                List<Integer> applied = entry.getList("appliedRevisions");
                // Since this start each revision at most once, in increasing order.
                assertEquals(applied.stream().distinct().sorted().toList(), applied, certificate.serial());
            }
            JsonPath stats = responder.stats();
            assertEquals(List.of(), stats.getList("duplicateApplies"), stats.prettify());
            assertEquals(0, stats.getLong("rejected"));

            // A graceful restart writes a final snapshot: the next start consumes nothing again.
            Thread.sleep(1500);
            responder.stop();
            responder.start().awaitReady(Duration.ofSeconds(120));
            JsonPath restarted = responder.stats();
            assertEquals(offsets(restarted, "endOffsetsAtStart"), offsets(restarted, "startOffsets"), restarted.prettify());
            assertEquals(0, restarted.getLong("consumed"), restarted.prettify());
            awaitRevoked(responder, root, issued.subList(0, 20), Duration.ofSeconds(10));
            System.out.println("crash test: " + COUNT + " revocations, final stats " + restarted.prettify());

            // Readiness follows the broker: not ready while it is gone (answers would go stale), ready again after.
            broker.kill();
            try {
                long downBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                String health = responder.health();
                while (!health.contains("DOWN") && System.nanoTime() < downBy) {
                    Thread.sleep(250);
                    health = responder.health();
                }
                assertTrue(health.replace(" ", "").contains("\"kafka\":false"), health);
            } finally {
                broker.restart();
            }
            responder.awaitReady(Duration.ofSeconds(60));
        } finally {
            responder.stop();
            CaServiceProcess.stop();
        }
    }

    static void awaitRevoked(ResponderProcess responder, X509Certificate root, List<CaClient.Issued> certificates,
                             Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CaClient.Issued certificate : certificates) {
            byte[] request = OcspRequests.request(root, new BigInteger(certificate.serial(), 16));
            while (!(OcspRequests.single(Http.post(responder.url(), request).body()).getCertStatus() instanceof RevokedStatus)) {
                assertTrue(System.nanoTime() < deadline, certificate.serial() + " not answered as revoked");
                Thread.sleep(100);
            }
        }
    }

    /**
     * Revokes, retrying while ca-service is down: a request cut off by the crash was not
     * acknowledged, and revocation is idempotent, so the retry is answered like the first.
     */
    static void revokeUntilAcknowledged(CaClient.Issued certificate) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                CaClient.revoke(certificate, "keyCompromise");
                return;
            } catch (RuntimeException | AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleepQuietly(200);
            }
        }
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
