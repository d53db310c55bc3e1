package jp.inkan.ca.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.security.AuthProvider;
import java.security.Provider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jp.inkan.ca.issuance.IssuanceService;
import jp.inkan.testing.Csrs;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
import org.junit.jupiter.api.Test;

/**
 * The real SoftHSM2 token forgets us (its sessions are closed, or we are logged out) and the next
 * requests still succeed on a re-opened token, without a restart.
 */
@QuarkusTest
class HsmSessionLossTest {

    @Inject
    Pkcs11CryptoToken token;

    @Inject
    IssuanceService issuance;

    static IssuanceRequest request() {
        return Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa());
    }

    /**
     * Closes every session this process has on the token, as a token restart does. The JDK's
     * PKCS#11 wrapper has no C_CloseAllSessions, so C_CloseSession is called on each handle
     * SoftHSM2 may have given out; unused ones just answer CKR_SESSION_HANDLE_INVALID. SoftHSM2
     * numbers sessions and objects from one counter that only grows (SunPKCS11 opens and closes
     * sessions as concurrency comes and goes), so a session opened here for the purpose gives the
     * highest handle in use. With the last session closed the login ends too.
     */
    static void closeAllSessions(Provider provider) throws Exception {
        Field p11Field = provider.getClass().getDeclaredField("p11");
        p11Field.setAccessible(true);
        Object p11 = p11Field.get(provider);
        Field slotField = provider.getClass().getDeclaredField("slotID");
        slotField.setAccessible(true);
        Method open = java.util.Arrays.stream(p11.getClass().getMethods())
                .filter(m -> m.getName().equals("C_OpenSession")).findFirst().orElseThrow();
        long highest = (Long) open.invoke(p11, slotField.getLong(provider), 4L /* CKF_SERIAL_SESSION */, null, null);
        Method close = p11.getClass().getMethod("C_CloseSession", long.class);
        close.setAccessible(true);
        int closed = 0;
        for (long handle = 1; handle <= highest; handle++) {
            try {
                close.invoke(p11, handle);
                closed++;
            } catch (java.lang.reflect.InvocationTargetException unused) {
                // not a session of ours
            }
        }
        assertTrue(closed > 0, "there were sessions to close");
    }

    @Test
    void recoversWhenTheTokenClosesAllSessions() throws Exception {
        issuance.issue(request());
        long reopenedBefore = token.reopenings();
        int management = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.management.test-port", Integer.class);
        jp.inkan.testing.Prometheus metricsBefore = jp.inkan.testing.Prometheus.scrape(management);
        closeAllSessions(token.currentProvider());
        IssuedCertificate after = issuance.issue(request());
        assertTrue(after.certificatePem().contains("BEGIN CERTIFICATE"));
        assertEquals(reopenedBefore + 1, token.reopenings(), "the token was re-opened once");
        jp.inkan.testing.Prometheus metricsAfter = jp.inkan.testing.Prometheus.scrape(management);
        Map<String, String> lost = Map.of("error", "session-lost");
        assertTrue(metricsAfter.value("inkan_hsm_errors_total", lost) > metricsBefore.value("inkan_hsm_errors_total", lost),
                "the session loss is counted");
        assertEquals(metricsBefore.value("inkan_hsm_reopenings_total") + 1, metricsAfter.value("inkan_hsm_reopenings_total"));
        issuance.issue(request());
        assertEquals(reopenedBefore + 1, token.reopenings(), "and then used as normal");
    }

    @Test
    void recoversWhenTheLoginIsLost() throws Exception {
        issuance.issue(request());
        long reopenedBefore = token.reopenings();
        ((AuthProvider) token.currentProvider()).logout(); // C_Logout: private keys become unusable
        issuance.issue(request());
        assertTrue(token.reopenings() > reopenedBefore);
    }

    @Test
    void concurrentSignersAllRecoverFromOneSessionLoss() throws Exception {
        List<IssuanceRequest> requests = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            requests.add(request());
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            // Sessions are closed between bursts: SoftHSM2 runs inside this process, and closing a
            // session while another thread is inside C_Sign on it frees memory under that thread
            // (a real token drops sessions on its side; here the library would crash the JVM).
            for (int burst = 0; burst < 3; burst++) {
                closeAllSessions(token.currentProvider());
                long reopenedBefore = token.reopenings();
                List<Future<IssuedCertificate>> results = new ArrayList<>();
                for (IssuanceRequest request : requests.subList(burst * 8, burst * 8 + 8)) {
                    results.add(pool.submit(() -> issuance.issue(request)));
                }
                for (Future<IssuedCertificate> result : results) {
                    assertTrue(result.get(2, TimeUnit.MINUTES).certificatePem().contains("BEGIN CERTIFICATE"));
                }
                // the threads that hit the dead sessions together re-opened the token once, not once each
                assertEquals(reopenedBefore + 1, token.reopenings());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void readinessProbesTheTokenForReal() throws Exception {
        closeAllSessions(token.currentProvider());
        long before = token.reopenings();
        token.probe();
        assertEquals(before + 1, token.reopenings());
    }
}
