package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.ocsp.access.Caller;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.responses.Reply;
import jp.inkan.ocsp.responses.Responder;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.store.StatusStore;
import jp.inkan.ocsp.testing.MutableClock;
import jp.inkan.ocsp.testing.SoftwareResponderKeys;
import jp.inkan.ocsp.testing.TestCa;
import jp.inkan.testing.OcspRequests;
import jp.inkan.testing.TempDirs;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The responder's answers, with a software responder key and a stand-in CA (unit level). */
class OcspResponderTest {

    static final String SIG_DN = "C=JP, O=JPKI-TEST, OU=JPKI for digital signature";
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    TestCa ca = new TestCa(clock, Duration.ofDays(7));
    StatusStore store = new StatusStore();
    TestCa.Root g1;
    TestCa.Root g2;
    TestCa.Root auth;
    TestCa.Root stranger;
    Responder responder;

    @BeforeEach
    void setUp() throws Exception {
        g1 = ca.addRoot(CertificateType.SIGNATURE, 1, SIG_DN);
        g2 = ca.addRoot(CertificateType.SIGNATURE, 2, SIG_DN);
        auth = ca.addRoot(CertificateType.AUTHENTICATION, 1, "C=JP, O=JPKI-TEST, OU=JPKI for user authentication");
        CaDirectory directory = new CaDirectory(ca, clock);
        directory.refresh();
        // A CA the responder does not serve: same name as generation 1, another key.
        stranger = new TestCa(clock, Duration.ofDays(7)).addRoot(CertificateType.SIGNATURE, 1, SIG_DN);
        Path dir = TempDirs.create("responders");
        ResponderCredentials credentials = new ResponderCredentials(new SoftwareResponderKeys(), ca, clock, 0.3, "ocsp", dir);
        credentials.ensure(directory.served());
        responder = new Responder(directory, store, credentials, clock, Duration.ofHours(1), Duration.ofMinutes(15),
                1000, 10, 32);
    }

    static BigInteger serial() {
        return new BigInteger(127, new SecureRandom());
    }


    void event(TestCa.Root root, BigInteger serial, long revision, String status, Instant at, RevocationReason reason) {
        event(root, serial, revision, status, at, reason, null);
    }

    void event(TestCa.Root root, BigInteger serial, long revision, String status, Instant at, RevocationReason reason,
               Instant invalidityDate) {
        store.apply(new CertificateEvent(1, UUID.randomUUID().toString(), CertificateEvent.Kind.ISSUED, revision,
                root.ca(), root.generation(), root.ski(), serial.toString(16), "131016", Instant.now().plusSeconds(100000),
                status, at, reason, invalidityDate, Instant.now()));
    }

    @Test
    void aRevocationsInvalidityDateIsASingleExtensionAndNothingElseCarriesOne() throws Exception {
        BigInteger compromised = serial();
        BigInteger superseded = serial();
        BigInteger held = serial();
        Instant at = Instant.parse("2026-11-30T12:34:56Z");
        Instant invalid = Instant.parse("2026-11-29T08:00:00Z");
        event(g1, compromised, 2, "REVOKED", at, RevocationReason.KEY_COMPROMISE, invalid);
        event(g1, superseded, 2, "REVOKED", at, RevocationReason.SUPERSEDED);
        event(g1, held, 2, "ON_HOLD", at, RevocationReason.CERTIFICATE_HOLD, invalid);

        SingleResp answer = OcspRequests.single(responder.answer(OcspRequests.request(g1.certificate(), compromised)).body());
        org.bouncycastle.asn1.x509.Extension extension = answer.getExtension(org.bouncycastle.asn1.x509.Extension.invalidityDate);
        assertNotNull(extension, "invalidityDate singleExtension");
        assertFalse(extension.isCritical());
        var time = org.bouncycastle.asn1.ASN1GeneralizedTime.getInstance(extension.getParsedValue());
        assertEquals("20261129080000Z", time.getTimeString(), "DER GeneralizedTime, whole seconds");
        assertEquals(java.util.Set.of(org.bouncycastle.asn1.x509.Extension.invalidityDate),
                java.util.Set.copyOf(answer.getExtensionOIDs()));
        assertEquals(CRLReason.keyCompromise, ((RevokedStatus) answer.getCertStatus()).getRevocationReason());

        assertFalse(OcspRequests.single(responder.answer(OcspRequests.request(g1.certificate(), superseded)).body())
                .hasExtensions());
        assertFalse(OcspRequests.single(responder.answer(OcspRequests.request(g1.certificate(), held)).body())
                .hasExtensions(), "a hold has no invalidity date, as on the CRL");
    }

    @Test
    void goodRevokedHeldAndUnknown() throws Exception {
        BigInteger good = serial();
        BigInteger revoked = serial();
        BigInteger held = serial();
        Instant at = Instant.parse("2026-11-30T12:34:56Z");
        event(g1, good, 1, "VALID", null, null);
        event(g1, revoked, 1, "VALID", null, null);
        event(g1, revoked, 2, "REVOKED", at, RevocationReason.KEY_COMPROMISE);
        event(g1, held, 2, "ON_HOLD", at, RevocationReason.CERTIFICATE_HOLD);

        SingleResp answer = OcspRequests.single(responder.answer(OcspRequests.request(g1.certificate(), good)).body());
        assertNull(answer.getCertStatus());
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), answer.getThisUpdate().toInstant());
        assertEquals(Instant.parse("2026-12-01T01:00:00Z"), answer.getNextUpdate().toInstant());

        RevokedStatus status = (RevokedStatus) OcspRequests.single(
                responder.answer(OcspRequests.request(g1.certificate(), revoked)).body()).getCertStatus();
        assertEquals(at, status.getRevocationTime().toInstant());
        assertEquals(CRLReason.keyCompromise, status.getRevocationReason());

        status = (RevokedStatus) OcspRequests.single(
                responder.answer(OcspRequests.request(g1.certificate(), held)).body()).getCertStatus();
        assertEquals(CRLReason.certificateHold, status.getRevocationReason());

        assertInstanceOf(UnknownStatus.class, OcspRequests.single(
                responder.answer(OcspRequests.request(g1.certificate(), serial())).body()).getCertStatus());
        // Same serial under another generation of the same CA: that generation never issued it.
        assertInstanceOf(UnknownStatus.class, OcspRequests.single(
                responder.answer(OcspRequests.request(g2.certificate(), good)).body()).getCertStatus());
    }

    @Test
    void signedByTheDelegatedResponderOfTheRightGenerationByKey() throws Exception {
        BigInteger serial = serial();
        event(g2, serial, 1, "VALID", null, null);
        BasicOCSPResp basic = OcspRequests.verified(responder.answer(OcspRequests.request(g2.certificate(), serial)).body());
        assertEquals(1, basic.getCerts().length);
        assertEquals(g2.certificate().getSubjectX500Principal().getName(),
                new javax.security.auth.x500.X500Principal(basic.getCerts()[0].getIssuer().getEncoded()).getName());
        assertTrue(basic.getCerts()[0].isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                .build(g2.certificate())));
        assertNull(basic.getResponderId().toASN1Primitive().getName(), "byKey, not byName");
        assertNotNull(basic.getResponderId().toASN1Primitive().getKeyHash());
    }

    @Test
    void sha256CertIdsAreAnsweredWithTheSameCertId() throws Exception {
        BigInteger serial = serial();
        event(auth, serial, 1, "VALID", null, null);
        CertificateID id = OcspRequests.id(auth.certificate(), serial, OcspRequests.SHA256);
        SingleResp answer = OcspRequests.single(responder.answer(OcspRequests.request(List.of(id), null)).body());
        assertEquals(id, answer.getCertID());
        assertNull(answer.getCertStatus());
    }

    @Test
    void unservedIssuersAndMixedIssuersAreUnauthorized() throws Exception {
        BigInteger serial = serial();
        event(g1, serial, 1, "VALID", null, null);
        assertEquals(6, OcspRequests.parse(responder.answer(OcspRequests.request(stranger.certificate(), serial)).body())
                .getStatus());
        byte[] mixed = OcspRequests.request(List.of(OcspRequests.id(g1.certificate(), serial, OcspRequests.SHA1),
                OcspRequests.id(auth.certificate(), serial, OcspRequests.SHA1)), null);
        assertEquals(6, OcspRequests.parse(responder.answer(mixed).body()).getStatus());
    }

    @Test
    void malformedTooManyCertIdsAndLongNoncesAreMalformedRequest() throws Exception {
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(responder.answer(new byte[] {1, 2, 3}).body()).getStatus());
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(responder.answer(new byte[0]).body()).getStatus());
        byte[] valid = OcspRequests.request(g1.certificate(), serial());
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(responder.answer(trailing).body()).getStatus());

        List<CertificateID> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(OcspRequests.id(g1.certificate(), serial(), OcspRequests.SHA1));
        }
        assertEquals(OCSPResp.MALFORMED_REQUEST,
                OcspRequests.parse(responder.answer(OcspRequests.request(eleven, null)).body()).getStatus());
        BasicOCSPResp ten = OcspRequests.verified(responder.answer(OcspRequests.request(eleven.subList(0, 10), null)).body());
        assertEquals(10, ten.getResponses().length);

        byte[] longNonce = OcspRequests.request(List.of(OcspRequests.id(g1.certificate(), serial(), OcspRequests.SHA1)),
                new byte[33]);
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(responder.answer(longNonce).body()).getStatus());
        Reply unsigned = responder.answer(longNonce);
        assertFalse(unsigned.successful());
    }

    @Test
    void nonceIsEchoedAndSignedFresh() throws Exception {
        BigInteger serial = serial();
        event(g1, serial, 1, "VALID", null, null);
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        CertificateID id = OcspRequests.id(g1.certificate(), serial, OcspRequests.SHA1);
        Reply first = responder.answer(OcspRequests.request(List.of(id), nonce));
        assertArrayEquals(nonce, OcspRequests.nonce(OcspRequests.verified(first.body())));
        assertFalse(first.cacheable());
        byte[] other = new byte[16];
        new SecureRandom().nextBytes(other);
        Reply second = responder.answer(OcspRequests.request(List.of(id), other));
        assertArrayEquals(other, OcspRequests.nonce(OcspRequests.verified(second.body())));
        assertEquals(2, responder.signed());
    }

    @Test
    void withoutNonceTheSameBytesUntilTheStatusChangesOrTheRefreshPoint() throws Exception {
        BigInteger serial = serial();
        event(g1, serial, 1, "VALID", null, null);
        byte[] request = OcspRequests.request(g1.certificate(), serial);
        Reply first = responder.answer(request);
        assertTrue(first.cacheable());
        clock.advance(Duration.ofMinutes(44));
        assertArrayEquals(first.body(), responder.answer(request).body(), "cached until 15 min before nextUpdate");
        assertEquals(1, responder.cacheHits());

        event(g1, serial, 2, "REVOKED", clock.instant(), RevocationReason.AFFILIATION_CHANGED);
        Reply revoked = responder.answer(request);
        assertFalse(Arrays.equals(first.body(), revoked.body()));
        assertInstanceOf(RevokedStatus.class, OcspRequests.single(revoked.body()).getCertStatus());
        assertArrayEquals(revoked.body(), responder.answer(request).body());

        clock.advance(Duration.ofMinutes(46));
        Reply refreshed = responder.answer(request);
        assertFalse(Arrays.equals(revoked.body(), refreshed.body()), "re-signed once within 15 min of nextUpdate");
        assertEquals(clock.instant().plus(Duration.ofHours(1)), refreshed.nextUpdate());
    }

    @Test
    void aRepeatedGetIsAnsweredFromTheCacheOnlyWhileItsAnswerIsCurrent() throws Exception {
        BigInteger serial = serial();
        event(g1, serial, 1, "VALID", null, null);
        byte[] request = OcspRequests.request(g1.certificate(), serial);
        String path = "/ocsp/" + java.util.Base64.getEncoder().encodeToString(request);
        assertTrue(responder.cachedAnswer(path, Caller.ANONYMOUS).isEmpty(), "never seen: parsed and signed on a worker");
        Reply first = responder.answer(request, path, Caller.ANONYMOUS);
        assertArrayEquals(first.body(), responder.cachedAnswer(path, Caller.ANONYMOUS).orElseThrow().body());
        assertEquals(first.etag(), responder.cachedAnswer(path, Caller.ANONYMOUS).orElseThrow().etag());

        event(g1, serial, 2, "REVOKED", clock.instant(), RevocationReason.KEY_COMPROMISE);
        assertTrue(responder.cachedAnswer(path, Caller.ANONYMOUS).isEmpty(), "a status change is never answered from the cache");
        Reply revoked = responder.answer(request, path, Caller.ANONYMOUS);
        assertInstanceOf(RevokedStatus.class, OcspRequests.single(revoked.body()).getCertStatus());
        assertArrayEquals(revoked.body(), responder.cachedAnswer(path, Caller.ANONYMOUS).orElseThrow().body());

        clock.advance(Duration.ofMinutes(46));
        assertTrue(responder.cachedAnswer(path, Caller.ANONYMOUS).isEmpty(), "past the refresh point: re-signed on a worker");
        assertEquals(2, responder.signed(), "signed twice in all, both on the worker path");
    }
}
