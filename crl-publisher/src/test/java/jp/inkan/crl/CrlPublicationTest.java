package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.crl.store.EventStore;
import jp.inkan.crl.testing.Ca;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import jp.inkan.crl.testing.RelyingParties;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.Pem;
import jp.inkan.testing.TempDirs;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Events from the real ca-service (SoftHSM2) through a real Kafka broker into the publisher's
 * PostgreSQL store, CRLs signed by ca-service, served over HTTP and checked by OpenSSL, GnuTLS and
 * Java's PKIX validator. Methods build on each other (one CA state), hence the order.
 */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrlPublicationTest {

    static final String CHIYODA = "131016";
    static final String SHINJUKU = "131041";
    static final String BASE = "/crl/signature/g01/" + CHIYODA + ".crl";
    static final String DELTA = "/crl/signature/g01/" + CHIYODA + "-delta.crl";

    static Ca.Issued revoked;
    static Ca.Issued held;
    static Ca.Issued good;
    static Ca.Issued shinjuku;
    static Ca.Issued authRevoked;
    static Ca.Issued authGood;
    static Instant invalidity = Instant.now().minus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    static Path dir;
    static Path root;
    static Path authRoot;

    @Inject
    DataSource db;

    @Inject
    EventStore events;

    @Test
    @Order(1)
    void completeCrlsListRevocationsAndHoldsAndEveryValidatorAgrees() throws Exception {
        dir = TempDirs.create("crl-test");
        revoked = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        held = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        good = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        shinjuku = Ca.issue(CertificateType.SIGNATURE, SHINJUKU);
        authRevoked = Ca.issue(CertificateType.AUTHENTICATION, CHIYODA);
        authGood = Ca.issue(CertificateType.AUTHENTICATION, CHIYODA);
        Ca.revoke(revoked, CHIYODA, "keyCompromise", invalidity);
        Ca.hold(held, CHIYODA);
        Ca.revoke(shinjuku, SHINJUKU, "unspecified", null);
        Ca.revoke(authRevoked, CHIYODA, "affiliationChanged", null);
        Crls.awaitStatus(db, revoked.serial(), "R");
        Crls.awaitStatus(db, held.serial(), "H");
        Crls.awaitStatus(db, shinjuku.serial(), "R");
        Crls.awaitStatus(db, authRevoked.serial(), "R");
        root = Crls.write(dir, "root.pem", Ca.roots(CertificateType.SIGNATURE));
        authRoot = Crls.write(dir, "auth-root.pem", Ca.roots(CertificateType.AUTHENTICATION));

        List<Map<String, Object>> published = Crls.publish("complete");
        List<Object> paths = published.stream().map(p -> p.get("path")).toList();
        assertTrue(paths.containsAll(List.of(BASE, "/crl/signature/g01/full.crl", "/crl/signature/g01/" + SHINJUKU + ".crl",
                "/crl/authentication/g01/full.crl", "/crl/authentication/g01/" + CHIYODA + ".crl")), paths.toString());

        // The partition: its two entries, encoded per RFC 5280, scoped by the certificates' own DP.
        byte[] der = Crls.fetch(BASE);
        X509CRLHolder crl = Crls.parse(der);
        X509CertificateHolder cert = new X509CertificateHolder(Pem.certificate(revoked.pem()).getEncoded());
        X509CertificateHolder rootCert = new X509CertificateHolder(Pem.certificate(Ca.roots(CertificateType.SIGNATURE)).getEncoded());
        assertEquals(rootCert.getSubject(), crl.getIssuer());
        assertEquals(2, crl.toASN1Structure().getVersionNumber());
        int listed = crl.getRevokedCertificates().size(); // other test classes may have revoked in 131016 too
        X509CRLEntryHolder revokedEntry = crl.getRevokedCertificate(new BigInteger(revoked.serial(), 16));
        assertEquals(RevocationReason.KEY_COMPROMISE.code(),
                ASN1Enumerated.getInstance(revokedEntry.getExtensions().getExtension(Extension.reasonCode).getParsedValue()).intValueExact());
        assertEquals(Date.from(invalidity), ASN1GeneralizedTime.getInstance(
                revokedEntry.getExtensions().getExtension(Extension.invalidityDate).getParsedValue()).getDate());
        X509CRLEntryHolder heldEntry = crl.getRevokedCertificate(new BigInteger(held.serial(), 16));
        assertEquals(RevocationReason.CERTIFICATE_HOLD.code(),
                ASN1Enumerated.getInstance(heldEntry.getExtensions().getExtension(Extension.reasonCode).getParsedValue()).intValueExact());
        assertEquals(new ASN1ObjectIdentifier("1.2.840.10040.2.3"),
                heldEntry.getExtensions().getExtension(Extension.instructionCode).getParsedValue());
        assertNull(crl.getRevokedCertificate(new BigInteger(good.serial(), 16)));
        Extension idp = crl.getExtension(Extension.issuingDistributionPoint);
        assertTrue(idp.isCritical());
        CRLDistPoint certDp = CRLDistPoint.fromExtensions(cert.getExtensions());
        assertEquals(certDp.getDistributionPoints()[0].getDistributionPoint(),
                IssuingDistributionPoint.getInstance(idp.getParsedValue()).getDistributionPoint(),
                "the IDP names the certificates' distribution point (DirName and URI)");
        assertArrayEquals(AuthorityKeyIdentifier.fromExtensions(cert.getExtensions()).getKeyIdentifier(),
                AuthorityKeyIdentifier.fromExtensions(crl.getExtensions()).getKeyIdentifier());
        CRLDistPoint freshest = CRLDistPoint.getInstance(crl.getExtension(Extension.freshestCRL).getParsedValue());
        assertTrue(GeneralNames.getInstance(freshest.getDistributionPoints()[0].getDistributionPoint().getName())
                .getNames()[0].getName().toString().endsWith(DELTA));
        assertTrue(crl.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder().build(rootCert)));

        // Another municipality's partition lists only its own; the full CRL lists all of the generation.
        X509CRLHolder other = Crls.parse(Crls.fetch("/crl/signature/g01/" + SHINJUKU + ".crl"));
        assertNotNull(other.getRevokedCertificate(new BigInteger(shinjuku.serial(), 16)));
        assertNull(other.getRevokedCertificate(new BigInteger(revoked.serial(), 16)));
        byte[] fullDer = Crls.fetch("/crl/signature/g01/full.crl");
        X509CRLHolder full = Crls.parse(fullDer);
        for (Ca.Issued listedInFull : List.of(revoked, held, shinjuku)) {
            assertNotNull(full.getRevokedCertificate(new BigInteger(listedInFull.serial(), 16)));
        }
        assertEquals(listed + other.getRevokedCertificates().size(), full.getRevokedCertificates().size(),
                "the full CRL is the union of the partitions");
        assertNull(full.getExtension(Extension.issuingDistributionPoint));

        // OpenSSL: signature, then revocation through the partition CRL and through the full CRL.
        Path crlPem = Crls.writePem(dir, "chiyoda.crl.pem", der);
        Path fullPem = Crls.writePem(dir, "full.crl.pem", fullDer);
        Path derFile = dir.resolve("chiyoda.crl");
        Files.write(derFile, der);
        ExternalTool.Result verify = Crls.tool("openssl", "crl", "-inform", "DER", "-in", derFile.toString(), "-noout",
                "-CAfile", root.toString(), "-verify");
        assertEquals(0, verify.exitCode(), verify.output());
        assertTrue(verify.output().contains("verify OK"), verify.output());
        for (Path crlFile : List.of(crlPem, fullPem)) {
            assertRevokedByOpenSsl(revoked, root, crlFile);
            assertRevokedByOpenSsl(held, root, crlFile);
            assertGoodByOpenSsl(good, root, crlFile);
        }

        // GnuTLS.
        ExternalTool.Result info = Crls.tool("certtool", "--crl-info", "--inder", "--infile", derFile.toString());
        assertEquals(0, info.exitCode(), info.output());
        assertTrue(info.output().contains("Revoked certificates (" + listed + ")"), info.output());
        assertTrue(info.output().toLowerCase().contains(revoked.serial()), info.output());
        ExternalTool.Result gnutls = Crls.tool("certtool", "--verify-crl", "--load-ca-certificate", root.toString(),
                "--infile", crlPem.toString());
        assertEquals(0, gnutls.exitCode(), gnutls.output());
        assertTrue(gnutls.output().contains("Verified"), gnutls.output());

        // Java's PKIX validator with the partition CRL in a CertStore.
        assertJavaRevoked(revoked, der);
        assertJavaRevoked(held, der);
        assertJavaGood(good, der);

        // The authentication CA: its own partition and root (access mode mtls in these tests: the
        // authentication verifier downloads it with curl --cert).
        byte[] authDer = RelyingParties.fetch("/crl/authentication/g01/" + CHIYODA + ".crl", "auth-verifier");
        Path authPem = Crls.writePem(dir, "auth.crl.pem", authDer);
        assertRevokedByOpenSsl(authRevoked, authRoot, authPem);
        assertGoodByOpenSsl(authGood, authRoot, authPem);
        assertJavaRevoked(authRevoked, authDer);
    }

    @Test
    @Order(2)
    void servedOverHttpWithCachingHeaders() {
        Response response = Crls.get(BASE);
        assertEquals(200, response.statusCode());
        assertEquals("application/pkix-crl", response.contentType());
        X509CRLHolder crl = Crls.parse(response.asByteArray());
        String etag = response.header("ETag");
        assertNotNull(etag);
        assertEquals(crl.getThisUpdate().toInstant(), java.time.ZonedDateTime.parse(response.header("Last-Modified"),
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        assertEquals(crl.getNextUpdate().toInstant(), java.time.ZonedDateTime.parse(response.header("Expires"),
                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        long maxAge = Long.parseLong(response.header("Cache-Control").replaceAll(".*max-age=(\\d+).*", "$1"));
        long expected = crl.getNextUpdate().toInstant().getEpochSecond() - Instant.now().getEpochSecond();
        assertTrue(Math.abs(maxAge - expected) < 30, response.header("Cache-Control"));

        Response notModified = RestAssured.given().baseUri("http://127.0.0.1").port(Crls.httpPort())
                .header("If-None-Match", etag).get(BASE);
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.asByteArray().length);
        assertEquals(200, RestAssured.given().baseUri("http://127.0.0.1").port(Crls.httpPort())
                .header("If-None-Match", "\"something-else\"").get(BASE).statusCode());
        assertEquals(404, Crls.get("/crl/signature/g01/999999.crl").statusCode());
        assertEquals(404, Crls.get("/crl/signature/g01/../../etc.crl").statusCode());

        // A new CRL of the scope is a new ETag.
        Crls.publish("complete");
        Response next = Crls.get(BASE);
        assertNotEquals(etag, next.header("ETag"));
        assertEquals(Crls.number(crl).add(BigInteger.ONE), Crls.number(Crls.parse(next.asByteArray())));
    }

    @Test
    @Order(3)
    void deltaCrlsCarryLaterRevocationsAndOpenSslUsesThem() throws Exception {
        X509CRLHolder base = Crls.parse(Crls.fetch(BASE));
        Ca.Issued stillGood = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        Ca.revoke(good, CHIYODA, "superseded", null);
        Crls.awaitStatus(db, good.serial(), "R");
        List<Map<String, Object>> published = Crls.publish("delta");
        assertTrue(published.stream().anyMatch(p -> DELTA.equals(p.get("path"))), published.toString());

        byte[] deltaDer = Crls.fetch(DELTA);
        X509CRLHolder delta = Crls.parse(deltaDer);
        Extension indicator = delta.getExtension(Extension.deltaCRLIndicator);
        assertTrue(indicator.isCritical());
        assertEquals(Crls.number(base), ASN1Integer.getInstance(indicator.getParsedValue()).getValue());
        assertTrue(Crls.number(delta).compareTo(Crls.number(base)) > 0);
        assertEquals(base.getExtension(Extension.issuingDistributionPoint), delta.getExtension(Extension.issuingDistributionPoint));
        assertNull(delta.getExtension(Extension.freshestCRL));
        assertEquals(1, delta.getRevokedCertificates().size(), "only what changed since the base");
        assertNotNull(delta.getRevokedCertificate(new BigInteger(good.serial(), 16)));

        Path basePem = Crls.writePem(dir, "base.crl.pem", Crls.fetch(BASE));
        Path deltaPem = Crls.writePem(dir, "delta.crl.pem", deltaDer);
        assertGoodByOpenSsl(good, root, basePem); // the base alone does not know yet
        // OpenSSL 3.0 without -extended_crl scores a delta CRL like a complete one (get_crl_score's
        // "don't process deltas" sits in an else branch) and may use the delta alone: always pass both flags.
        ExternalTool.Result withDelta = Crls.tool("openssl", "verify", "-crl_check", "-extended_crl", "-use_deltas", "-CAfile", root.toString(),
                "-CRLfile", basePem.toString(), "-CRLfile", deltaPem.toString(), certificate(good).toString());
        assertNotEquals(0, withDelta.exitCode(), withDelta.output());
        assertTrue(withDelta.output().contains("certificate revoked"), withDelta.output());
        ExternalTool.Result oldStillRevoked = Crls.tool("openssl", "verify", "-crl_check", "-extended_crl", "-use_deltas", "-CAfile",
                root.toString(), "-CRLfile", basePem.toString(), "-CRLfile", deltaPem.toString(), certificate(revoked).toString());
        assertTrue(oldStillRevoked.output().contains("certificate revoked"), oldStillRevoked.output());
        ExternalTool.Result stillOk = Crls.tool("openssl", "verify", "-crl_check", "-extended_crl", "-use_deltas", "-CAfile",
                root.toString(), "-CRLfile", basePem.toString(), "-CRLfile", deltaPem.toString(), certificate(stillGood).toString());
        assertEquals(0, stillOk.exitCode(), stillOk.output());
        ExternalTool.Result info = Crls.tool("certtool", "--crl-info", "--infile", deltaPem.toString());
        assertEquals(0, info.exitCode(), info.output());
        assertTrue(info.output().contains("Revoked certificates (1)"), info.output());
        ExternalTool.Result gnutls = Crls.tool("certtool", "--verify-crl", "--load-ca-certificate", root.toString(),
                "--infile", deltaPem.toString());
        assertEquals(0, gnutls.exitCode(), gnutls.output());

        // The full CRL's delta too.
        Path fullBase = Crls.writePem(dir, "full-base.crl.pem", Crls.fetch("/crl/signature/g01/full.crl"));
        Path fullDelta = Crls.writePem(dir, "full-delta.crl.pem", Crls.fetch("/crl/signature/g01/full-delta.crl"));
        ExternalTool.Result viaFull = Crls.tool("openssl", "verify", "-crl_check", "-extended_crl", "-use_deltas", "-CAfile", root.toString(),
                "-CRLfile", fullBase.toString(), "-CRLfile", fullDelta.toString(), certificate(good).toString());
        assertTrue(viaFull.output().contains("certificate revoked"), viaFull.output());
        ExternalTool.Result viaFullOld = Crls.tool("openssl", "verify", "-crl_check", "-extended_crl", "-use_deltas", "-CAfile",
                root.toString(), "-CRLfile", fullBase.toString(), "-CRLfile", fullDelta.toString(), certificate(revoked).toString());
        assertTrue(viaFullOld.output().contains("certificate revoked"), viaFullOld.output());
    }

    @Test
    @Order(4)
    void holdReleaseIsRemoveFromCrlInDeltasOnlyAndExpiredEntriesLeave() throws Exception {
        Crls.publish("complete");
        X509CRLHolder base = Crls.parse(Crls.fetch(BASE));
        assertNotNull(base.getRevokedCertificate(new BigInteger(held.serial(), 16)));
        String keyId = keyId();
        long revision;
        try (Connection c = db.getConnection();
             PreparedStatement select = c.prepareStatement("select revision from cert_status where serial = ?")) {
            select.setString(1, held.serial());
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                revision = rs.getLong(1);
            }
        }
        Instant now = Instant.now();
        List<CertificateEvent> synthetic = new ArrayList<>();
        // An operator's hold release (off in this ca-service, so the event is written here as ca-service would).
        synthetic.add(new CertificateEvent(1, "test-release", CertificateEvent.Kind.HOLD_RELEASED, revision + 1,
                CertificateType.SIGNATURE, 1, keyId, held.serial(), CHIYODA, now.plus(1000, ChronoUnit.DAYS), "VALID",
                null, RevocationReason.REMOVE_FROM_CRL, null, now));
        // Expired: a revoked certificate leaves the CRL, a held one stays.
        synthetic.add(new CertificateEvent(1, "test-expired-revoked", CertificateEvent.Kind.REVOKED, 2,
                CertificateType.SIGNATURE, 1, keyId, "7e0001", CHIYODA, now.minus(1, ChronoUnit.DAYS), "REVOKED",
                now.minus(10, ChronoUnit.DAYS), RevocationReason.SUPERSEDED, null, now));
        synthetic.add(new CertificateEvent(1, "test-expired-held", CertificateEvent.Kind.HELD, 2,
                CertificateType.SIGNATURE, 1, keyId, "7e0002", CHIYODA, now.minus(1, ChronoUnit.DAYS), "ON_HOLD",
                now.minus(10, ChronoUnit.DAYS), RevocationReason.CERTIFICATE_HOLD, null, now));
        // A replay of an older revision changes nothing.
        synthetic.add(new CertificateEvent(1, "test-stale", CertificateEvent.Kind.ISSUED, 1,
                CertificateType.SIGNATURE, 1, keyId, revoked.serial(), CHIYODA, now.plus(1000, ChronoUnit.DAYS), "VALID",
                null, null, null, now));
        events.apply(synthetic, List.of());

        Crls.publish("delta");
        X509CRLHolder delta = Crls.parse(Crls.fetch(DELTA));
        X509CRLEntryHolder removal = delta.getRevokedCertificate(new BigInteger(held.serial(), 16));
        assertNotNull(removal, "the released hold is in the delta");
        assertEquals(RevocationReason.REMOVE_FROM_CRL.code(),
                ASN1Enumerated.getInstance(removal.getExtensions().getExtension(Extension.reasonCode).getParsedValue()).intValueExact());
        Path basePem = Crls.writePem(dir, "base2.crl.pem", Crls.fetch(BASE));
        Path deltaPem = Crls.writePem(dir, "delta2.crl.pem", Crls.fetch(DELTA));
        ExternalTool.Result released = Crls.tool("openssl", "verify", "-crl_check", "-extended_crl", "-use_deltas", "-CAfile", root.toString(),
                "-CRLfile", basePem.toString(), "-CRLfile", deltaPem.toString(), certificate(held).toString());
        assertEquals(0, released.exitCode(), "base lists the hold, the delta removes it: " + released.output());

        Crls.publish("complete");
        X509CRLHolder next = Crls.parse(Crls.fetch(BASE));
        assertNull(next.getRevokedCertificate(new BigInteger(held.serial(), 16)), "removeFromCRL never in a complete CRL");
        assertNull(next.getRevokedCertificate(new BigInteger("7e0001", 16)), "expired and revoked: dropped");
        assertNotNull(next.getRevokedCertificate(new BigInteger("7e0002", 16)), "expired but on hold: kept");
        assertNotNull(next.getRevokedCertificate(new BigInteger(revoked.serial(), 16)), "the stale replay changed nothing");
        for (Object e : next.getRevokedCertificates()) {
            X509CRLEntryHolder entry = (X509CRLEntryHolder) e;
            Extension reason = entry.getExtensions() == null ? null : entry.getExtensions().getExtension(Extension.reasonCode);
            assertTrue(reason == null || ASN1Enumerated.getInstance(reason.getParsedValue()).intValueExact() != 8);
        }
    }

    private String keyId() {
        return Ca.generations().stream().filter(g -> "SIGNATURE".equals(g.get("ca")) && ((Integer) g.get("generation")) == 1)
                .map(g -> (String) g.get("subjectKeyIdentifier")).findFirst().orElseThrow();
    }

    static Path certificate(Ca.Issued issued) {
        Path file = dir.resolve(issued.serial() + ".pem");
        if (!Files.exists(file)) {
            Crls.write(dir, issued.serial() + ".pem", issued.pem());
        }
        return file;
    }

    static void assertRevokedByOpenSsl(Ca.Issued issued, Path root, Path crl) {
        ExternalTool.Result result = Crls.tool("openssl", "verify", "-crl_check", "-CAfile", root.toString(),
                "-CRLfile", crl.toString(), certificate(issued).toString());
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("certificate revoked"), result.output());
    }

    static void assertGoodByOpenSsl(Ca.Issued issued, Path root, Path crl) {
        ExternalTool.Result result = Crls.tool("openssl", "verify", "-crl_check", "-CAfile", root.toString(),
                "-CRLfile", crl.toString(), certificate(issued).toString());
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains(": OK"), result.output());
    }

    static void assertJavaRevoked(Ca.Issued issued, byte[] crl) throws Exception {
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class, () -> javaValidate(issued, crl));
        assertEquals(java.security.cert.CertPathValidatorException.BasicReason.REVOKED, e.getReason(), e.toString());
    }

    static void assertJavaGood(Ca.Issued issued, byte[] crl) throws Exception {
        javaValidate(issued, crl);
    }

    static void javaValidate(Ca.Issued issued, byte[] crlDer) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        X509Certificate cert = Pem.certificate(issued.pem());
        String roots = Ca.roots(issued.type());
        X509Certificate rootCert = Pem.certificate(roots);
        X509CRL crl = (X509CRL) factory.generateCRL(new ByteArrayInputStream(crlDer));
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(rootCert, null)));
        params.setRevocationEnabled(true);
        params.setPolicyQualifiersRejected(false);
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(crl))));
        CertPathValidator.getInstance("PKIX").validate(factory.generateCertPath(List.of(cert)), params);
    }
}
