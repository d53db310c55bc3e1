package jp.inkan.ca.bench;

import jp.inkan.testing.CardKeys;
import jp.inkan.testing.LocalEnv;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.hsm.CertificateSigner;
import jp.inkan.ca.events.OutboxRelay;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.ca.issuance.IssuanceService;
import jp.inkan.ca.testing.LocalInfrastructure;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Raw PKCS#11 RSA-2048 signing rate on the SoftHSM2 token against full issuance (validate, build,
 * sign, record in PostgreSQL) through the same code path the API uses, in one JVM and one run,
 * at several thread counts. Writes bench/results/ca-issuance.md. Run with bench/ca-issuance.sh.
 *
 * <p>Card keys are RSA-2048 as on real cards, made quickly from a prime pool ({@link CardKeys})
 * because every certificate needs a key never certified before.
 */
@QuarkusTest
@Tag("bench")
@TestProfile(IssuanceBenchmark.Profile.class)
class IssuanceBenchmark {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.category.\"jp.inkan\".level", "WARN");
        }
    }

    static final Duration PHASE = Duration.ofSeconds(Long.getLong("bench.seconds", 10));
    static final Duration WARM_UP_SLICE = Duration.ofSeconds(3);
    static final int WARM_UP_SLICES = 20;
    static final int[] THREADS = java.util.Arrays.stream(System.getProperty("bench.threads", "1,2,4,8,16,32").split(","))
            .mapToInt(Integer::parseInt).toArray();

    @Inject
    CertificateSigner signer;
    @Inject
    IssuanceService issuance;
    @Inject
    KeyGenerations generations;
    @Inject
    CertificateStore store;
    @Inject
    OutboxRelay relay;

    /**
     * {@code issuedPerSecond} counts the issuance phase only; {@code sustainedPerSecond} also
     * waits for the outbox relay to publish the phase's events ({@code backlog} of them were left
     * when the phase ended), so work the relay put off is not left out. The ratio uses it.
     */
    record Row(int threads, double rawPerSecond, double issuedPerSecond, double sustainedPerSecond, long backlog,
               double p50Millis, double p99Millis, Cpu rawCpu, Cpu issuedCpu) {
        double ratio() {
            return sustainedPerSecond / rawPerSecond;
        }
    }

    @Test
    void issuanceAgainstRawSigning() throws Exception {
        KeyGeneration ca = generations.issuing(CertificateType.SIGNATURE).orElseThrow();
        byte[] tbs = new byte[1200]; // about the size of a signature certificate's TBS
        new SecureRandom().nextBytes(tbs);

        CardKeys cardKeys = new CardKeys(Integer.getInteger("bench.primes", 900));
        // warm-up: JIT, token sessions, connection pool
        run(4, Duration.ofSeconds(3), () -> signer.sign(ca.keyAlias(), ca.algorithm(), tbs), null);
        // Until the JIT has finished with the issuance path: C2 compiling it took a quarter of the
        // JVM's CPU in the first measured phase when the warm-up was a fixed 10 s.
        var compiler = java.lang.management.ManagementFactory.getCompilationMXBean();
        for (int slice = 1; slice <= WARM_UP_SLICES; slice++) {
            ConcurrentLinkedQueue<IssuanceRequest> warmRequests = requests(cardKeys, 4_000);
            long compiledBefore = compiler.getTotalCompilationTime();
            run(4, WARM_UP_SLICE, () -> issuance.issue(warmRequests.poll()), null);
            long compiling = compiler.getTotalCompilationTime() - compiledBefore;
            System.out.printf("bench: warm-up slice %d: %d ms compiling in %d s%n", slice, compiling,
                    WARM_UP_SLICE.toSeconds());
            if (slice >= 3 && compiling < WARM_UP_SLICE.toMillis() / 50) {
                break;
            }
        }

        List<Row> rows = new ArrayList<>();
        for (int threads : THREADS) {
            outboxDrained();
            Cpu.Meter rawMeter = Cpu.start();
            double raw = run(threads, PHASE, () -> signer.sign(ca.keyAlias(), ca.algorithm(), tbs), null);
            Cpu rawCpu = rawMeter.stop(raw * PHASE.toSeconds());
            ConcurrentLinkedQueue<IssuanceRequest> requests = requests(cardKeys, (int) (raw * PHASE.toSeconds() * 1.1) + 500);
            List<Long> latencies = new ArrayList<>();
            outboxDrained();
            long before = store.total();
            System.out.println("bench: issuance phase starts, threads=" + threads);
            Cpu.Meter issuedMeter = Cpu.start();
            double issued = run(threads, PHASE, () -> issuance.issue(requests.poll()), latencies);
            Cpu issuedCpu = issuedMeter.stop(issued * PHASE.toSeconds());
            long backlog = relay.backlog();
            double drainSeconds = outboxDrained();
            double sustained = issued * PHASE.toSeconds() / (PHASE.toSeconds() + drainSeconds);
            assertTrue(store.total() - before > 0, "certificates were recorded");
            latencies.sort(null);
            Row row = new Row(threads, raw, issued, sustained, backlog, percentile(latencies, 0.50),
                    percentile(latencies, 0.99), rawCpu, issuedCpu);
            rows.add(row);
            System.out.printf("threads=%d raw=%.0f/s issued=%.0f/s sustained=%.0f/s (outbox backlog %d) ratio=%.2f"
                    + " cpu/op raw %s issued %s%n", threads, raw, issued, sustained, backlog, row.ratio(), rawCpu, issuedCpu);
        }
        write(rows);
    }

    /** Waits until the outbox relay has published every event; returns how long that took, in seconds. */
    private double outboxDrained() throws Exception {
        long began = System.nanoTime();
        while (relay.backlog() > 0) {
            if (System.nanoTime() - began > Duration.ofMinutes(2).toNanos()) {
                throw new AssertionError("The outbox relay did not catch up within 2 minutes: " + relay.backlog() + " left");
            }
            Thread.sleep(20);
        }
        return (System.nanoTime() - began) / 1e9;
    }

    private static ConcurrentLinkedQueue<IssuanceRequest> requests(CardKeys cardKeys, int count) {
        ConcurrentLinkedQueue<IssuanceRequest> queue = new ConcurrentLinkedQueue<>();
        List<String> csrs = cardKeys.csrs(count);
        for (int i = 0; i < count; i++) {
            CertificateType type = i % 2 == 0 ? CertificateType.SIGNATURE : CertificateType.AUTHENTICATION;
            queue.add(Requests.typical(type, csrs.get(i)));
        }
        return queue;
    }

    /** Runs {@code operation} on {@code threads} threads for {@code duration}; operations per second. */
    private static double run(int threads, Duration duration, Runnable operation, List<Long> latencies)
            throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<List<Long>> perThread = new ArrayList<>();
        long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            List<Long> mine = new ArrayList<>();
            perThread.add(mine);
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (System.nanoTime() < deadline[0]) {
                    long began = System.nanoTime();
                    try {
                        operation.run();
                        done.incrementAndGet();
                        if (latencies != null) {
                            mine.add(System.nanoTime() - began);
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        long began = System.nanoTime();
        deadline[0] = began + duration.toNanos();
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        if (failed.get() > 0) {
            throw new AssertionError(failed.get() + " operations failed during the benchmark");
        }
        if (latencies != null) {
            perThread.forEach(latencies::addAll);
        }
        return done.get() / seconds;
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1e6;
    }

    private static void write(List<Row> rows) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("# ca-service: issuance against raw HSM signing\n\n");
        md.append("Measured ").append(Instant.now()).append(" by `bench/ca-issuance.sh` on ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.version")).append(", SoftHSM2 through SunPKCS11, PostgreSQL 15 ")
                .append("(fsync and synchronous_commit on). ").append(PHASE.toSeconds())
                .append(" s per phase; both phases in the same JVM, one after the other, after issuing until the JIT ")
                .append("compiler is idle (under 2% of a 3 s slice, at least 9 s).\n\n");
        md.append("- **raw**: `CertificateSigner.sign` of a 1,200-byte TBS with the Signature CA's RSA-2048 key ")
                .append("(SHA256withRSA, one C_SignInit/C_Sign per call).\n");
        md.append("- **issued**: `IssuanceService.issue` end to end: validate request and CSR (RSA-2048 card keys, ")
                .append("proof of possession verified), key policy, validity, subject sequence, build, sign in the HSM, ")
                .append("record in PostgreSQL with its outbox event and audit entry (concurrent issuances share commits); half signature, half authentication.\n\n");
        md.append("CPU per operation: milliseconds of CPU of this JVM (which includes SoftHSM2, an in-process ")
                .append("library) and of the whole machine (adds PostgreSQL), divided by operations completed.\n\n");
        md.append("Before each phase the outbox relay has published every event. **sustained** is the phase's "
                + "certificates divided by the phase plus the time the relay then took to publish the events left in "
                + "the outbox (backlog), so work put off until after the phase still counts; issued / raw uses it.\n\n");
        md.append("| threads | raw signatures/s | issued certificates/s | outbox backlog at end | sustained/s | issued / raw "
                + "| issuance p50 ms | issuance p99 ms | CPU ms/signature (JVM / machine) | CPU ms/issuance (JVM / machine) |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            md.append(String.format("| %d | %.0f | %.0f | %d | %.0f | %.2f | %.2f | %.2f | %s | %s |%n", row.threads(),
                    row.rawPerSecond(), row.issuedPerSecond(), row.backlog(), row.sustainedPerSecond(), row.ratio(),
                    row.p50Millis(), row.p99Millis(), row.rawCpu(), row.issuedCpu()));
        }
        // Capacity: the most each path delivered at any measured concurrency. Raw signing saturates
        // the two cores from 2 threads on; issuance, which also waits on PostgreSQL commits, needs
        // more requests in flight to keep them busy, so rows at low thread counts show its latency.
        Row bestRaw = rows.stream().max(java.util.Comparator.comparingDouble(Row::rawPerSecond)).orElseThrow();
        Row bestIssued = rows.stream().max(java.util.Comparator.comparingDouble(Row::sustainedPerSecond)).orElseThrow();
        md.append(String.format("%nCapacity: issuance at most %.0f certificates/s sustained (%d threads), raw signing at most "
                        + "%.0f signatures/s (%d threads): **%.2f**.%n", bestIssued.sustainedPerSecond(), bestIssued.threads(),
                bestRaw.rawPerSecond(), bestRaw.threads(), bestIssued.sustainedPerSecond() / bestRaw.rawPerSecond()));
        md.append("\nTarget: issued / raw >= 0.50 (the HSM, not our code, is the limit).\n");
        Path out = LocalEnv.repoDir().resolve("bench/results/ca-issuance.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }
}
