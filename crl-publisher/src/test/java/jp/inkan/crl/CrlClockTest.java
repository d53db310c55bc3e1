package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import jp.inkan.crl.config.CrlConfig;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import jp.inkan.crl.testing.MovableClock;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.Test;

/** thisUpdate and nextUpdate come from the injected clock, not from the machine's. */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class CrlClockTest {

    @Inject
    MovableClock clock;

    @Inject
    CrlConfig config;

    @Test
    void thisUpdateAndNextUpdateFollowTheInjectedClock() {
        // Within ca-service's allowed clock skew (15 min), or it would refuse to sign.
        Instant at = Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        clock.pin(at);
        try {
            Crls.publish("complete");
        } finally {
            clock.release();
        }
        X509CRLHolder full = Crls.parse(Crls.fetch("/crl/signature/g01/full.crl"));
        assertEquals(Date.from(at), full.getThisUpdate());
        Duration validity = config.schedule().completeEvery().plus(config.schedule().completeOverlap());
        assertEquals(Date.from(at.plus(validity)), full.getNextUpdate());
    }
}
