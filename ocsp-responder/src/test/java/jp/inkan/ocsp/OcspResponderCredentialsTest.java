package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Predicate;
import jp.inkan.common.CertificateType;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.issuers.ServedIssuer;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.store.StatusStore;
import jp.inkan.ocsp.testing.MutableClock;
import jp.inkan.ocsp.testing.SoftwareResponderKeys;
import jp.inkan.ocsp.testing.TestCa;
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.Test;

/** Responder certificates: one key per generation, renewed before expiry, switched atomically. */
class OcspResponderCredentialsTest {

    @Test
    void renewsWhenLessThanTheConfiguredFractionIsLeftAndKeepsTheOldOneOnFailure() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        TestCa ca = new TestCa(clock, Duration.ofDays(7));
        ca.addRoot(CertificateType.SIGNATURE, 1, "CN=sig g1");
        ca.addRoot(CertificateType.AUTHENTICATION, 1, "CN=auth g1");
        CaDirectory directory = new CaDirectory(ca, clock);
        directory.refresh();
        SoftwareResponderKeys keys = new SoftwareResponderKeys();
        Path dir = TempDirs.create("responders");
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

    @Test
    void aNewGenerationWithoutCertificatesDoesNotMakeTheResponderUnready() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
        TestCa ca = new TestCa(clock, Duration.ofDays(7));
        TestCa.Root g1 = ca.addRoot(CertificateType.SIGNATURE, 1, "CN=sig");
        CaDirectory directory = new CaDirectory(ca, clock);
        directory.refresh();
        ResponderCredentials credentials = new ResponderCredentials(new SoftwareResponderKeys(), ca, clock, 0.3, "ocsp",
                TempDirs.create("responders"));
        StatusStore store = new StatusStore();
        store.apply(issued(g1, "1a"));
        credentials.ensure(directory.served());
        Predicate<ServedIssuer> hasCertificates = issuer -> store.hasCertificatesOf(issuer.keyId());
        assertTrue(credentials.complete(directory.served(), hasCertificates));

        // A rotation is listed before its switch, and ca-service cannot issue its responder certificate yet:
        // generation 02 issued nothing, so the replica stays ready for generation 01's certificates.
        TestCa.Root g2 = ca.addRoot(CertificateType.SIGNATURE, 2, "CN=sig");
        directory.refresh();
        ca.down = true;
        credentials.ensure(directory.served());
        assertTrue(credentials.signerFor(directory.served().get(1)).isEmpty());
        assertFalse(credentials.complete(directory.served()), "every generation counted");
        assertTrue(credentials.complete(directory.served(), hasCertificates));

        // Once generation 02 issued, it needs its responder certificate like any other.
        store.apply(issued(g2, "2b"));
        assertFalse(credentials.complete(directory.served(), hasCertificates));
        ca.down = false;
        credentials.ensure(directory.served());
        assertTrue(credentials.complete(directory.served(), hasCertificates));
    }

    static CertificateEvent issued(TestCa.Root root, String serial) {
        return new CertificateEvent(CertificateEvent.SCHEMA, UUID.randomUUID().toString(), CertificateEvent.Kind.ISSUED, 1,
                root.ca(), root.generation(), root.ski(), serial, "131016", Instant.parse("2030-01-01T00:00:00Z"), "VALID",
                null, null, null, Instant.parse("2026-12-01T00:00:00Z"));
    }
}
