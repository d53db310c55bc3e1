package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import jp.inkan.common.CertificateType;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.access.AccessMode;
import jp.inkan.ocsp.access.Caller;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.responses.Responder;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.store.StatusStore;
import jp.inkan.ocsp.testing.MutableClock;
import jp.inkan.ocsp.testing.SoftwareResponderKeys;
import jp.inkan.ocsp.testing.TestCa;
import jp.inkan.testing.OcspRequests;
import jp.inkan.testing.TempDirs;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Access modes and the relying-party registry, on the responder with a software key and an injected clock. */
class OcspAccessTest {

    record Party(KeyPair key, X509Certificate certificate) {
    }

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T03:00:00Z"));
    final TestCa ca = new TestCa(clock, Duration.ofDays(7));
    final StatusStore store = new StatusStore();
    TestCa.Root sig;
    TestCa.Root auth;
    AccessControl access;
    Responder responder;
    Party sigClient;
    Party sigSigner;
    Party authSigner;
    Party stranger;
    BigInteger goodSig = new BigInteger(127, new SecureRandom());
    BigInteger goodAuth = new BigInteger(127, new SecureRandom());

    @BeforeEach
    void setUp() throws Exception {
        sig = ca.addRoot(CertificateType.SIGNATURE, 1, "C=JP, O=JPKI-TEST, OU=JPKI for digital signature");
        auth = ca.addRoot(CertificateType.AUTHENTICATION, 1, "C=JP, O=JPKI-TEST, OU=JPKI for user authentication");
        CaDirectory directory = new CaDirectory(ca, clock);
        directory.refresh();
        ResponderCredentials credentials = new ResponderCredentials(new SoftwareResponderKeys(), ca, clock, 0.3, "ocsp",
                TempDirs.create("responders"));
        credentials.ensure(directory.served());
        access = new AccessControl(Map.of(CertificateType.SIGNATURE, AccessMode.MTLS,
                CertificateType.AUTHENTICATION, AccessMode.SIGNED_REQUEST), clock);
        responder = new Responder(directory, store, credentials, clock, Duration.ofHours(1), Duration.ofMinutes(15),
                1000, 10, 32, access);
        sigClient = party("sig-client");
        sigSigner = party("sig-signer");
        authSigner = party("auth-signer");
        stranger = party("stranger");
        event(sig, goodSig);
        event(auth, goodAuth);
    }

    void event(TestCa.Root root, BigInteger serial) {
        store.apply(new CertificateEvent(1, UUID.randomUUID().toString(), CertificateEvent.Kind.ISSUED, 1, root.ca(),
                root.generation(), root.ski(), serial.toString(16), "131016", Instant.now().plusSeconds(100000), "VALID",
                null, null, null, Instant.now()));
    }

    Party party(String cn) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair key = generator.generateKeyPair();
        X500Name name = new X500Name("C=JP, O=Relying party, CN=" + cn);
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(new SecureRandom().nextInt(1 << 30)), Date.from(clock.instant().minusSeconds(60)),
                Date.from(clock.instant().plus(Duration.ofDays(30))), name, key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        return new Party(key, certificate);
    }

    static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder().encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    RelyingParty record(String id, RelyingParty.Kind kind, Set<CertificateType> cas, Party client, Party signer,
                        Integer rate, RelyingParty.State state) throws Exception {
        return new RelyingParty(RelyingParty.SCHEMA, id, id, kind, cas,
                client == null ? List.of() : List.of(RelyingParty.fingerprint(client.certificate().getEncoded())),
                signer == null ? List.of() : List.of(pem(signer.certificate())), rate, state, 1);
    }

    void register(RelyingParty.State sigState, Integer rate) throws Exception {
        access.registry(List.of(
                record("sig-verifier", RelyingParty.Kind.SIGNATURE_VERIFIER, Set.of(CertificateType.SIGNATURE), sigClient,
                        sigSigner, rate, sigState),
                record("auth-verifier", RelyingParty.Kind.AUTHENTICATION_VERIFIER, Set.of(CertificateType.AUTHENTICATION),
                        null, authSigner, rate, RelyingParty.State.ACTIVE)));
    }

    byte[] signed(TestCa.Root root, BigInteger serial, Party signer, boolean nonce, boolean includeCertificate) throws Exception {
        OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(OcspRequests.id(root.certificate(), serial, OcspRequests.SHA1));
        if (nonce) {
            builder.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(new DEROctetString(new byte[16]).getEncoded()))));
        }
        builder.setRequestorName(new GeneralName(X500Name.getInstance(signer.certificate().getSubjectX500Principal().getEncoded())));
        X509CertificateHolder[] chain = includeCertificate
                ? new X509CertificateHolder[] {new X509CertificateHolder(signer.certificate().getEncoded())}
                : null;
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.key().getPrivate()), chain).getEncoded();
    }

    byte[] nonceRequest(TestCa.Root root, BigInteger serial) throws Exception {
        return OcspRequests.request(List.of(OcspRequests.id(root.certificate(), serial, OcspRequests.SHA1)), new byte[16]);
    }

    Caller tls(Party party) {
        return access.identify(Optional.of(party.certificate()));
    }

    int status(byte[] response) throws Exception {
        return new OCSPResp(response).getStatus();
    }

    boolean good(byte[] response) throws Exception {
        return OcspRequests.single(response).getCertStatus() == null;
    }

    @Test
    void mtlsCaAnswersOnlyActiveEntitledPartiesAndRefusalsRevealNoSerial() throws Exception {
        register(RelyingParty.State.ACTIVE, null);
        byte[] known = OcspRequests.request(sig.certificate(), goodSig);
        byte[] unknown = OcspRequests.request(sig.certificate(), new BigInteger(127, new SecureRandom()));
        assertTrue(good(responder.answer(known, null, tls(sigClient)).body()));

        byte[] anonymousKnown = responder.answer(known, null, Caller.ANONYMOUS).body();
        byte[] anonymousUnknown = responder.answer(unknown, null, Caller.ANONYMOUS).body();
        assertEquals(OCSPResp.UNAUTHORIZED, status(anonymousKnown));
        assertArrayEquals(anonymousKnown, anonymousUnknown, "the same bytes whether or not the serial exists");
        assertArrayEquals(anonymousKnown, responder.answer(known, null, tls(stranger)).body());
        assertEquals(AccessControl.Gate.FORBIDDEN, access.gate(tls(stranger)));
        assertEquals(AccessControl.Gate.NO_CERTIFICATE, access.gate(Caller.ANONYMOUS));
        assertEquals(AccessControl.Gate.PASS, access.gate(tls(sigClient)));

        register(RelyingParty.State.SUSPENDED, null);
        assertEquals(AccessControl.Gate.FORBIDDEN, access.gate(tls(sigClient)));
        assertEquals(OCSPResp.UNAUTHORIZED, status(responder.answer(known, null, tls(sigClient)).body()));
        register(RelyingParty.State.ACTIVE, null);
        assertTrue(good(responder.answer(known, null, tls(sigClient)).body()), "activated again at once");

        Map<String, Usage.Counts> today = access.usage().day(LocalDate.now(clock.withZone(Usage.JAPAN)));
        assertEquals(2, today.get("sig-verifier").queries());
        assertEquals(2, today.get("sig-verifier").refusals());
        assertEquals(3, today.get("anonymous").refusals());
        assertEquals(2, today.get("unregistered").refusals());
    }

    @Test
    void theCacheFastPathChecksTheCallerToo() throws Exception {
        register(RelyingParty.State.ACTIVE, null);
        byte[] known = OcspRequests.request(sig.certificate(), goodSig);
        String path = "/ocsp/" + java.util.Base64.getEncoder().encodeToString(known);
        assertTrue(good(responder.answer(known, path, tls(sigClient)).body()));
        assertTrue(responder.cachedAnswer(path, tls(sigClient)).isPresent());
        assertTrue(responder.cachedAnswer(path, Caller.ANONYMOUS).isEmpty());
        assertTrue(responder.cachedAnswer(path, tls(stranger)).isEmpty());
        register(RelyingParty.State.SUSPENDED, null);
        assertTrue(responder.cachedAnswer(path, tls(sigClient)).isEmpty(), "suspension applies to cached answers");
    }

    @Test
    void aSignatureVerifierCannotSeeTheAuthenticationCa() throws Exception {
        register(RelyingParty.State.ACTIVE, null);
        assertEquals(OCSPResp.UNAUTHORIZED, status(responder.answer(signed(auth, goodAuth, sigSigner, true, true)).body()));
        assertTrue(good(responder.answer(signed(auth, goodAuth, authSigner, true, true)).body()));
    }

    @Test
    void signedRequestCaWantsARegisteredSignatureAndANonce() throws Exception {
        register(RelyingParty.State.ACTIVE, null);
        assertTrue(good(responder.answer(signed(auth, goodAuth, authSigner, true, true)).body()));
        assertTrue(good(responder.answer(signed(auth, goodAuth, authSigner, true, false)).body()),
                "found by requestorName when the request carries no certificate");
        assertEquals(OCSPResp.UNAUTHORIZED, status(responder.answer(signed(auth, goodAuth, authSigner, false, true)).body()),
                "no nonce");
        assertEquals(OCSPResp.UNAUTHORIZED, status(responder.answer(nonceRequest(auth, goodAuth)).body()), "unsigned");
        assertEquals(OCSPResp.UNAUTHORIZED, status(responder.answer(signed(auth, goodAuth, stranger, true, true)).body()),
                "an unregistered signer");
        // A registered certificate whose key did not sign (another party's key, same certificate attached).
        Party forged = new Party(stranger.key(), authSigner.certificate());
        assertEquals(OCSPResp.UNAUTHORIZED, status(responder.answer(signed(auth, goodAuth, forged, true, true)).body()),
                "a signature the registered key did not make");
        assertEquals(OCSPResp.UNAUTHORIZED, status(responder.answer(nonceRequest(auth, goodAuth), null, tls(sigClient)).body()),
                "a TLS identity does not replace the signature");
    }

    @Test
    void rateLimitsHoldPerParty() throws Exception {
        register(RelyingParty.State.ACTIVE, 2);
        assertEquals(AccessControl.Gate.PASS, access.gate(tls(sigClient)));
        assertEquals(AccessControl.Gate.PASS, access.gate(tls(sigClient)));
        assertEquals(AccessControl.Gate.RATE_LIMITED, access.gate(tls(sigClient)));
        byte[] authRequest = signed(auth, goodAuth, authSigner, true, true);
        assertTrue(good(responder.answer(authRequest).body()));
        assertTrue(good(responder.answer(authRequest).body()));
        assertEquals(OCSPResp.TRY_LATER, status(responder.answer(authRequest).body()), "another party's bucket, also empty");
        clock.advance(Duration.ofMillis(500));
        assertEquals(AccessControl.Gate.PASS, access.gate(tls(sigClient)), "one token back after half a second");
        assertEquals(AccessControl.Gate.RATE_LIMITED, access.gate(tls(sigClient)));
        Usage.Counts counts = access.usage().totals().get("sig-verifier");
        assertEquals(2, counts.rateLimited());
        assertNull(access.usage().totals().get("anonymous"));
    }

    /** An SSLSession as the TLS stack hands it over: a client certificate (or none) and application values. */
    static javax.net.ssl.SSLSession session(X509Certificate clientCertificate, java.util.concurrent.atomic.AtomicInteger reads) {
        Map<String, Object> values = new java.util.HashMap<>();
        return (javax.net.ssl.SSLSession) java.lang.reflect.Proxy.newProxyInstance(OcspAccessTest.class.getClassLoader(),
                new Class<?>[] {javax.net.ssl.SSLSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getPeerCertificates" -> {
                        reads.incrementAndGet();
                        if (clientCertificate == null) {
                            throw new javax.net.ssl.SSLPeerUnverifiedException("no client certificate");
                        }
                        yield new java.security.cert.Certificate[] {clientCertificate};
                    }
                    case "getValue" -> values.get((String) args[0]);
                    case "putValue" -> {
                        values.put((String) args[0], args[1]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aTlsSessionIsIdentifiedOnceAndFollowsRegistryChanges() throws Exception {
        register(RelyingParty.State.ACTIVE, null);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        javax.net.ssl.SSLSession keepAlive = session(sigClient.certificate(), reads);
        Caller first = access.identify(keepAlive);
        assertEquals("sig-verifier", first.party().id());
        assertEquals(AccessControl.Gate.PASS, access.gate(access.identify(keepAlive)));
        assertEquals(1, reads.get(), "the certificate is read and hashed once per session");
        assertEquals(tls(sigClient), first, "the same caller as from the certificate itself");

        register(RelyingParty.State.SUSPENDED, null);
        assertEquals(AccessControl.Gate.FORBIDDEN, access.gate(access.identify(keepAlive)),
                "a suspension applies to an open connection at the next request");
        register(RelyingParty.State.ACTIVE, null);
        assertEquals(AccessControl.Gate.PASS, access.gate(access.identify(keepAlive)));
        assertEquals(1, reads.get(), "a registry change re-looks up the remembered fingerprint");

        java.util.concurrent.atomic.AtomicInteger none = new java.util.concurrent.atomic.AtomicInteger();
        javax.net.ssl.SSLSession anonymous = session(null, none);
        assertEquals(Caller.ANONYMOUS, access.identify(anonymous));
        assertEquals(AccessControl.Gate.NO_CERTIFICATE, access.gate(access.identify(anonymous)));
        assertEquals(1, none.get());
        assertEquals(AccessControl.Gate.FORBIDDEN, access.gate(access.identify(session(stranger.certificate(), none))));
    }
}
