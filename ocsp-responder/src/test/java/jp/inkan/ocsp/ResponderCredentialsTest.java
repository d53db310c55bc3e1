package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import jp.inkan.common.CertificateType;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.issuers.ServedIssuer;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.testing.MutableClock;
import jp.inkan.ocsp.testing.SoftwareResponderKeys;
import jp.inkan.ocsp.testing.TestCa;
import org.junit.jupiter.api.Test;

/** Responder certificates: one key per generation, renewed before expiry, switched atomically. */
class ResponderCredentialsTest {

    @Test
    void renewsWhenLessThanTheConfiguredFractionIsLeftAndKeepsTheOldOneOnFailure() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        TestCa ca = new TestCa(clock, Duration.ofDays(7));
        ca.addRoot(CertificateType.SIGNATURE, 1, "CN=sig g1");
        ca.addRoot(CertificateType.AUTHENTICATION, 1, "CN=auth g1");
        CaDirectory directory = new CaDirectory(ca, clock);
        directory.refresh();
        SoftwareResponderKeys keys = new SoftwareResponderKeys();
        Path dir = Files.createTempDirectory("responders");
        ResponderCredentials credentials = new ResponderCredentials(keys, ca, clock, 0.3, "ocsp", dir);
        ServedIssuer sig = directory.served().get(0);

        credentials.ensure(directory.served());
        assertTrue(credentials.complete(directory.served()));
        assertEquals(2, ca.issued.get());
        assertEquals(2, keys.generated.get(), "one key per generation");
        ResponderCredentials.Credential first = credentials.signerFor(sig).orElseThrow();

        // 7 days and 5 minutes of life (backdated): renewal starts when 30% (about 2.1 days) is left.
        clock.advance(Duration.ofDays(4));
        credentials.ensure(directory.served());
        assertSame(first, credentials.signerFor(sig).orElseThrow());

        clock.advance(Duration.ofDays(1));
        ca.down = true;
        credentials.ensure(directory.served());
        assertSame(first, credentials.signerFor(sig).orElseThrow(), "ca-service down: the old certificate serves on");

        ca.down = false;
        credentials.ensure(directory.served());
        ResponderCredentials.Credential renewed = credentials.signerFor(sig).orElseThrow();
        X509Certificate certificate = renewed.certificate();
        assertNotEquals(first.certificate().getSerialNumber(), certificate.getSerialNumber());
        assertEquals(first.key().publicKey(), renewed.key().publicKey(), "renewal re-certifies the token key");
        assertEquals(2, keys.generated.get());
        assertTrue(certificate.getNotAfter().toInstant().isAfter(clock.instant().plus(Duration.ofDays(6))));

        // A restart finds the saved certificate and the key, and asks ca-service for nothing.
        int issued = ca.issued.get();
        ResponderCredentials restarted = new ResponderCredentials(keys, ca, clock, 0.3, "ocsp", dir);
        restarted.ensure(directory.served());
        assertEquals(issued, ca.issued.get());
        assertEquals(certificate, restarted.signerFor(sig).orElseThrow().certificate());
    }
}
