package jp.inkan.ca.hsm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.common.CertificateType;
import org.junit.jupiter.api.Test;

/** Concurrent signers get sessions of their own on the real token instead of queuing on one. */
@QuarkusTest
class TokenConcurrencyTest {

    @Inject
    Pkcs11CryptoToken token;

    @Inject
    KeyGenerations generations;

    /** Sessions SunPKCS11 has open on the token for this provider (in use or pooled for reuse). */
    static int openSessions(Provider provider) throws Exception {
        Field tokenField = provider.getClass().getDeclaredField("token");
        tokenField.setAccessible(true);
        Object p11Token = tokenField.get(provider);
        Field managerField = p11Token.getClass().getDeclaredField("sessionManager");
        managerField.setAccessible(true);
        Object manager = managerField.get(p11Token);
        Field active = manager.getClass().getDeclaredField("activeSessions");
        active.setAccessible(true);
        return ((java.util.concurrent.atomic.AtomicInteger) active.get(manager)).get();
    }

    @Test
    void concurrentSigningOpensMoreThanOneSession() throws Exception {
        KeyGeneration ca = generations.issuing(CertificateType.SIGNATURE).orElseThrow();
        byte[] data = new byte[256];
        // a fresh provider, so the count covers only what happens below
        HsmSessionLossTest.closeAllSessions(token.currentProvider());
        token.probe();
        for (int i = 0; i < 20; i++) {
            token.sign(ca.keyAlias(), ca.algorithm(), data);
        }
        int sequential = openSessions(token.currentProvider());

        int threads = 4;
        CyclicBarrier together = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            work.add(pool.submit(() -> {
                together.await();
                for (int i = 0; i < 50; i++) {
                    token.sign(ca.keyAlias(), ca.algorithm(), data);
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        int concurrent = openSessions(token.currentProvider());
        assertTrue(concurrent > sequential,
                "sessions open at once: " + sequential + " signing alone, " + concurrent + " with " + threads + " signers");
    }
}
