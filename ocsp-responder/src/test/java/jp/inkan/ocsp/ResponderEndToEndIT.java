package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jp.inkan.common.CertificateType;
import jp.inkan.ocsp.testing.CaClient;
import jp.inkan.ocsp.testing.Http;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.OcspRequests;
import jp.inkan.testing.Pem;
import jp.inkan.testing.Prometheus;
import jp.inkan.testing.ResponderProcess;
import jp.inkan.testing.TempDirs;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged responder as its own process, fed by the real ca-service (its own process) through a
 * real Kafka broker, its responder keys in the real SoftHSM2 test token; checked with openssl,
 * GnuTLS ocsptool, Java's PKIX revocation checker and Bouncy Castle.
 */
class ResponderEndToEndIT {

    static ResponderProcess responder;

    @BeforeAll
    static void start() {
        KafkaBroker broker = jp.inkan.ocsp.testing.Infrastructure.start();
        responder = new ResponderProcess("e2e", broker.bootstrapServers(),
                Map.of("inkan.ocsp.responder-certificates.check-interval", "PT5S")).start()
                .awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (responder != null) {
            responder.stop();
        }
        CaServiceProcess.stop();
    }

    static SingleResp await(X509Certificate issuer, String serial, Predicate<SingleResp> condition) throws Exception {
        byte[] request = OcspRequests.request(issuer, new BigInteger(serial, 16));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        SingleResp last = null;
        while (System.nanoTime() < deadline) {
            last = OcspRequests.single(Http.post(responder.url(), request).body());
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no such answer within 20 s; last status " + (last == null ? null : last.getCertStatus()));
    }

    static boolean good(SingleResp r) {
        return r.getCertStatus() == null;
    }

    static boolean revoked(SingleResp r) {
        return r.getCertStatus() instanceof RevokedStatus;
    }

    /** A missing tool fails the test (ExternalTool throws), never skips it: infra.sh installs them. */
    static ExternalTool.Result tool(String... command) {
        return ExternalTool.run(command);
    }

    static void pkix(X509Certificate root, X509Certificate certificate) throws Exception {
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY, PKIXRevocationChecker.Option.NO_FALLBACK));
        checker.setOcspResponder(URI.create(responder.url()));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        // JPKI: critical certificatePolicies with a CPS qualifier (see README).
        parameters.setPolicyQualifiersRejected(false);
        parameters.addCertPathChecker(checker);
        validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)), parameters);
    }

    @Test
    void goodThenRevokedAsOpensslGnutlsAndJavaSeeIt() throws Exception {
        CaClient.Issued issued = CaClient.issue(CertificateType.SIGNATURE);
        X509Certificate root = CaClient.issuerOf(issued.certificate());
        Path dir = TempDirs.create("ocsp-e2e");
        Path rootPem = Pem.write(dir, "root.pem", "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(root.getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Path certPem = Pem.write(dir, "cert.pem", issued.pem());
        await(root, issued.serial(), ResponderEndToEndIT::good);

        // openssl, POST, with and without nonce
        for (String nonce : List.of("-no_nonce", "-nonce")) {
            ExternalTool.Result openssl = tool("openssl", "ocsp", "-issuer", rootPem.toString(), "-cert", certPem.toString(),
                    "-url", responder.url(), "-CAfile", rootPem.toString(), nonce);
            assertEquals(0, openssl.exitCode(), openssl.output());
            assertTrue(openssl.output().contains("Response verify OK"), openssl.output());
            assertTrue(openssl.output().contains(certPem + ": good"), openssl.output());
            assertFalse(openssl.output().contains("WARNING"), openssl.output());
        }
        // openssl request, sent as RFC 5019 GET by curl, response checked by openssl
        Path requestDer = dir.resolve("request.der");
        ExternalTool.Result reqout = tool("openssl", "ocsp", "-issuer", rootPem.toString(), "-cert", certPem.toString(),
                "-no_nonce", "-reqout", requestDer.toString());
        assertEquals(0, reqout.exitCode(), reqout.output());
        String get = responder.url() + "/" + URLEncoder.encode(Base64.getEncoder().encodeToString(Files.readAllBytes(requestDer)),
                StandardCharsets.US_ASCII);
        Path responseDer = dir.resolve("response.der");
        ExternalTool.Result curl = tool("curl", "-sS", "-f", "-o", responseDer.toString(), get);
        assertEquals(0, curl.exitCode(), curl.output());
        ExternalTool.Result respin = tool("openssl", "ocsp", "-respin", responseDer.toString(), "-issuer", rootPem.toString(),
                "-cert", certPem.toString(), "-CAfile", rootPem.toString());
        assertTrue(respin.output().contains("Response verify OK") && respin.output().contains(": good"), respin.output());

        // GnuTLS
        for (String nonce : List.of("--no-nonce", "--nonce")) {
            ExternalTool.Result gnutls = tool("ocsptool", "--ask=" + responder.url(), "--load-issuer=" + rootPem,
                    "--load-cert=" + certPem, nonce);
            assertEquals(0, gnutls.exitCode(), gnutls.output());
            assertTrue(gnutls.output().contains("Certificate Status: good"), gnutls.output());
            assertTrue(gnutls.output().contains("Verifying OCSP Response: Success"), gnutls.output());
        }
        // Java
        pkix(root, issued.certificate());

        // The key is reported compromised since a moment before the revocation: the invalidity date.
        Instant invalidSince = issued.certificate().getNotBefore().toInstant();
        Instant revokedAt = Instant.parse(CaClient.revoke(issued, "keyCompromise", invalidSince).getString("revokedAt"));
        SingleResp revokedAnswer = await(root, issued.serial(), ResponderEndToEndIT::revoked);
        RevokedStatus status = (RevokedStatus) revokedAnswer.getCertStatus();
        assertEquals(revokedAt.getEpochSecond(), status.getRevocationTime().toInstant().getEpochSecond());
        assertEquals(CRLReason.keyCompromise, status.getRevocationReason());
        assertNotNull(revokedAnswer.getExtension(org.bouncycastle.asn1.x509.Extension.invalidityDate), "invalidityDate singleExtension");

        for (String nonce : List.of("-no_nonce", "-nonce")) {
            ExternalTool.Result openssl = tool("openssl", "ocsp", "-issuer", rootPem.toString(), "-cert", certPem.toString(),
                    "-url", responder.url(), "-CAfile", rootPem.toString(), nonce);
            assertTrue(openssl.output().contains("Response verify OK"), openssl.output());
            assertTrue(openssl.output().contains(certPem + ": revoked"), openssl.output());
            assertTrue(openssl.output().contains("Reason: keyCompromise"), openssl.output());
        }
        ExternalTool.Result text = tool("openssl", "ocsp", "-issuer", rootPem.toString(), "-cert", certPem.toString(),
                "-url", responder.url(), "-CAfile", rootPem.toString(), "-no_nonce", "-resp_text");
        assertTrue(text.output().contains("Response Single Extensions:"), text.output());
        assertTrue(text.output().contains("Invalidity Date:"), text.output());
        for (String nonce : List.of("--no-nonce", "--nonce")) {
            ExternalTool.Result gnutls = tool("ocsptool", "--ask=" + responder.url(), "--load-issuer=" + rootPem,
                    "--load-cert=" + certPem, nonce);
            assertTrue(gnutls.output().contains("Certificate Status: revoked"), gnutls.output());
            assertTrue(gnutls.output().contains("Verifying OCSP Response: Success"), gnutls.output());
        }
        CertPathValidatorException refused = assertThrows(CertPathValidatorException.class,
                () -> pkix(root, issued.certificate()));
        assertEquals(CertPathValidatorException.BasicReason.REVOKED, refused.getReason(), refused.toString());
        // Java's OCSP client hands the singleExtensions on: the date it reads is the one revoked with.
        var revokedException = assertInstanceOf(java.security.cert.CertificateRevokedException.class, refused.getCause());
        assertEquals(invalidSince, revokedException.getInvalidityDate().toInstant());
    }

    @Test
    void unknownUnauthorizedHoldAndSha256() throws Exception {
        CaClient.Issued issued = CaClient.issue(CertificateType.AUTHENTICATION);
        X509Certificate root = CaClient.issuerOf(issued.certificate());
        await(root, issued.serial(), ResponderEndToEndIT::good);

        assertInstanceOf(UnknownStatus.class, OcspRequests.single(Http.post(responder.url(),
                OcspRequests.request(root, new BigInteger(126, new SecureRandom()))).body()).getCertStatus());

        KeyPair key = Csrs.rsa(2048);
        X509Certificate stranger = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name(root.getSubjectX500Principal().getName()), BigInteger.ONE, new Date(),
                new Date(System.currentTimeMillis() + 86_400_000L), new X500Name(root.getSubjectX500Principal().getName()),
                key.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
        OCSPResp unauthorized = OcspRequests.parse(Http.post(responder.url(),
                OcspRequests.request(stranger, new BigInteger(issued.serial(), 16))).body());
        assertEquals(6, unauthorized.getStatus());
        assertNull(unauthorized.getResponseObject(), "unsigned");

        CertificateID sha256 = OcspRequests.id(root, new BigInteger(issued.serial(), 16), OcspRequests.SHA256);
        SingleResp answer = OcspRequests.single(Http.post(responder.url(), OcspRequests.request(List.of(sha256), null)).body());
        assertEquals(sha256, answer.getCertID());

        Instant heldAt = Instant.parse(CaClient.hold(issued).getString("revokedAt"));
        RevokedStatus held = (RevokedStatus) await(root, issued.serial(), ResponderEndToEndIT::revoked).getCertStatus();
        assertEquals(CRLReason.certificateHold, held.getRevocationReason());
        assertEquals(heldAt.getEpochSecond(), held.getRevocationTime().toInstant().getEpochSecond());
    }

    @Test
    void getAnswersCarryRfc5019HeadersAndStayIdenticalUntilTheStatusChanges() throws Exception {
        CaClient.Issued issued = CaClient.issue(CertificateType.SIGNATURE);
        X509Certificate root = CaClient.issuerOf(issued.certificate());
        await(root, issued.serial(), ResponderEndToEndIT::good);
        byte[] request = OcspRequests.request(root, new BigInteger(issued.serial(), 16));
        String b64 = Base64.getEncoder().encodeToString(request);

        HttpResponse<byte[]> first = Http.get(responder.url() + "/" + URLEncoder.encode(b64, StandardCharsets.US_ASCII));
        assertEquals(200, first.statusCode());
        assertEquals("application/ocsp-response", first.headers().firstValue("Content-Type").orElseThrow());
        String cacheControl = first.headers().firstValue("Cache-Control").orElseThrow();
        assertTrue(cacheControl.matches("max-age=\\d+, public, no-transform, must-revalidate"), cacheControl);
        long maxAge = Long.parseLong(cacheControl.replaceAll("max-age=(\\d+),.*", "$1"));
        assertTrue(maxAge > 2700 && maxAge <= 3600, cacheControl);
        BasicOCSPResp basic = OcspRequests.verified(first.body());
        SingleResp single = basic.getResponses()[0];
        java.time.format.DateTimeFormatter http = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME;
        assertEquals(single.getNextUpdate().toInstant(),
                Instant.from(http.parse(first.headers().firstValue("Expires").orElseThrow())));
        assertEquals(single.getThisUpdate().toInstant(),
                Instant.from(http.parse(first.headers().firstValue("Last-Modified").orElseThrow())));
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertNotNull(etag);

        // The same pre-signed bytes for every encoding variant of the same request.
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(request);
        for (String path : List.of("/" + URLEncoder.encode(b64, StandardCharsets.US_ASCII), "/" + b64, "/" + urlSafe,
                "//" + URLEncoder.encode(b64, StandardCharsets.US_ASCII))) {
            HttpResponse<byte[]> again = Http.get(responder.url() + path);
            assertEquals(200, again.statusCode(), path);
            assertArrayEquals(first.body(), again.body(), path);
            assertEquals(etag, again.headers().firstValue("ETag").orElseThrow(), path);
        }

        // A status change is answered with a fresh response at once.
        CaClient.revoke(issued, "affiliationChanged");
        long started = System.nanoTime();
        HttpResponse<byte[]> changed;
        do {
            changed = Http.get(responder.url() + "/" + URLEncoder.encode(b64, StandardCharsets.US_ASCII));
        } while (java.util.Arrays.equals(first.body(), changed.body())
                && System.nanoTime() - started < Duration.ofSeconds(10).toNanos());
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        assertTrue(revoked(OcspRequests.single(changed.body())), "revoked after " + millis + " ms");
        assertTrue(millis < 3000, "new answer took " + millis + " ms");
        System.out.println("OCSP answer changed " + millis + " ms after ca-service acknowledged the revocation");
        assertFalse(etag.equals(changed.headers().firstValue("ETag").orElseThrow()));

        // With a nonce: echoed, signed fresh, not cacheable.
        byte[] nonce = new byte[32];
        new SecureRandom().nextBytes(nonce);
        HttpResponse<byte[]> withNonce = Http.post(responder.url(), OcspRequests.request(
                List.of(OcspRequests.id(root, new BigInteger(issued.serial(), 16), OcspRequests.SHA1)), nonce));
        assertArrayEquals(nonce, OcspRequests.nonce(OcspRequests.verified(withNonce.body())));
        String noCache = withNonce.headers().firstValue("Cache-Control").orElseThrow();
        assertTrue(noCache.contains("no-cache") && !noCache.contains("max-age"), noCache);
    }

    @Test
    void malformedOversizedAndTooManyCertIds() throws Exception {
        CaClient.Issued issued = CaClient.issue(CertificateType.SIGNATURE);
        X509Certificate root = CaClient.issuerOf(issued.certificate());

        HttpResponse<byte[]> garbage = Http.post(responder.url(), "not DER".getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, garbage.statusCode());
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(garbage.body()).getStatus());
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(Http.get(responder.url() + "/@@@@").body()).getStatus());
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(Http.get(responder.url() + "/").body()).getStatus());

        assertEquals(413, Http.post(responder.url(), new byte[9000]).statusCode());
        // GET: a request over the same limit is refused too; a request line over 20 KB never reaches us.
        assertEquals(413, Http.getOnOwnConnection(responder.url() + "/" + "A".repeat(17_000)).statusCode());
        assertEquals(414, Http.getOnOwnConnection(responder.url() + "/" + "A".repeat(21_000)).statusCode());

        List<CertificateID> ids = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            ids.add(OcspRequests.id(root, new BigInteger(126, new SecureRandom()), OcspRequests.SHA1));
        }
        assertEquals(OCSPResp.MALFORMED_REQUEST,
                OcspRequests.parse(Http.post(responder.url(), OcspRequests.request(ids, null)).body()).getStatus());
        assertEquals(10, OcspRequests.verified(Http.post(responder.url(),
                OcspRequests.request(ids.subList(0, 10), null)).body()).getResponses().length);
        assertEquals(OCSPResp.MALFORMED_REQUEST, OcspRequests.parse(Http.post(responder.url(),
                OcspRequests.request(ids.subList(0, 1), new byte[33])).body()).getStatus());

        // None of this disturbed the event consumer: a revocation still arrives.
        CaClient.revoke(issued, "superseded");
        RevokedStatus status = (RevokedStatus) await(root, issued.serial(), ResponderEndToEndIT::revoked).getCertStatus();
        assertEquals(CRLReason.superseded, status.getRevocationReason());
        assertTrue(responder.health().replace(" ", "").contains("\"storeCaughtUp\":true"), responder.health());
    }

    @Test
    void responderCertificateIsRenewedBeforeExpiryWithoutAGapAndItsKeyStaysInTheToken() throws Exception {
        CaClient.Issued issued = CaClient.issue(CertificateType.SIGNATURE);
        X509Certificate root = CaClient.issuerOf(issued.certificate());
        await(root, issued.serial(), ResponderEndToEndIT::good);
        String label = "signature-g" + String.format("%02d", issued.keyGeneration());
        String before = responderSerial(label);
        byte[] request = OcspRequests.request(root, new BigInteger(issued.serial(), 16));
        Set<BigInteger> signers = new java.util.HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int answers = 0;
        // With 8-minute certificates and renewal at 30% left, a renewal comes within about a minute;
        // every answer meanwhile is successful, verifies, and is signed by a certificate valid now.
        while (before.equals(responderSerial(label)) || answers < 20) {
            assertTrue(System.nanoTime() < deadline, "no renewal within 120 s");
            BasicOCSPResp basic = OcspRequests.verified(Http.post(responder.url(), request).body());
            X509Certificate signer = new JcaX509CertificateConverter().getCertificate(basic.getCerts()[0]);
            signer.checkValidity();
            signer.verify(root.getPublicKey());
            signers.add(signer.getSerialNumber());
            answers++;
            Thread.sleep(250);
        }
        for (int i = 0; i < 10; i++) {
            X509Certificate signer = new JcaX509CertificateConverter().getCertificate(
                    OcspRequests.verified(Http.post(responder.url(), request).body()).getCerts()[0]);
            signers.add(signer.getSerialNumber());
        }
        assertTrue(signers.contains(new BigInteger(responderSerial(label), 16)), "answers are signed with the new certificate");
        assertTrue(signers.size() >= 2, "old then new responder certificate: " + signers);

        Map<String, String> env = jp.inkan.testing.LocalEnv.env();
        ExternalTool.Result objects = tool("pkcs11-tool", "--module", env.get("INKAN_HSM_LIBRARY"), "--slot",
                env.get("INKAN_OCSP_HSM_TEST_SLOT"), "--login", "--pin", env.get("INKAN_HSM_PIN"), "--list-objects",
                "--type", "privkey");
        String output = objects.output();
        // SunPKCS11 names the key by CKA_ID (the alias' bytes), leaving CKA_LABEL empty.
        String id = java.util.HexFormat.of().formatHex(("ocsp-" + label).getBytes(StandardCharsets.US_ASCII));
        int at = output.indexOf("ID:         " + id);
        assertTrue(at >= 0, output);
        String entry = output.substring(at, Math.min(output.length(), at + 400));
        assertTrue(entry.contains("never extractable") && entry.contains("sensitive"), entry);
    }

    static String responderSerial(String label) {
        List<Map<String, String>> served = responder.stats().getList("served");
        return served.stream().filter(s -> label.equals(s.get("label"))).findFirst().orElseThrow().get("responderSerial");
    }

    @Test
    void answersAreMeasuredHealthAndOpenApiAreServedAndProductionLogsAreJson() throws Exception {
        CaClient.Issued issued = CaClient.issue(CertificateType.SIGNATURE);
        X509Certificate root = CaClient.issuerOf(issued.certificate());
        await(root, issued.serial(), ResponderEndToEndIT::good);
        String get = responder.url() + "/" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(OcspRequests.request(root, new BigInteger(issued.serial(), 16)));
        Map<String, String> getOk = Map.of("method", "get", "status", "successful");
        Map<String, String> postMalformed = Map.of("method", "post", "status", "malformed-request");
        Prometheus before = Prometheus.scrape(responder.managementPort());

        OcspRequests.verified(Http.get(get).body());   // first sight of this path: a worker answers
        OcspRequests.verified(Http.get(get).body());   // the same path again: the I/O-thread cache hit
        Http.post(responder.url(), "not DER".getBytes(StandardCharsets.US_ASCII));

        Prometheus after = Prometheus.scrape(responder.managementPort());
        assertEquals(before.value("inkan_ocsp_responses_seconds_count", getOk) + 2,
                after.value("inkan_ocsp_responses_seconds_count", getOk));
        assertTrue(after.value("inkan_ocsp_responses_seconds_bucket", getOk) > 0, "latency buckets are published");
        assertEquals(before.value("inkan_ocsp_responses_seconds_count", postMalformed) + 1,
                after.value("inkan_ocsp_responses_seconds_count", postMalformed));
        assertTrue(after.value("inkan_ocsp_cache_hits_total") >= before.value("inkan_ocsp_cache_hits_total") + 1,
                "the repeated GET was a cache hit");
        assertTrue(after.value("inkan_ocsp_cache_misses_total") >= 1, "the first answer of a certificate is a miss");
        assertTrue(after.value("inkan_events_consumed_total") >= 1);
        assertTrue(after.value("inkan_events_consumer_lag") >= -1 && after.has("inkan_events_consumer_lag"));
        assertTrue(after.has("inkan_hsm_errors_total"));

        String ready = responder.health().replace(" ", "");
        assertTrue(ready.contains("\"kafka\":true") && ready.contains("\"status\":\"UP\""), ready);
        String live = Http.get("http://127.0.0.1:" + responder.managementPort() + "/q/health/live").statusCode() + "";
        assertEquals("200", live);
        String openapi = new String(Http.get("http://127.0.0.1:" + responder.managementPort() + "/q/openapi").body(),
                StandardCharsets.UTF_8);
        assertTrue(openapi.contains("/ocsp/{request}") && openapi.contains("application/ocsp-response"), openapi);

        // The packaged jar runs in the prod profile: one JSON object per log line.
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> lines = Files.readAllLines(responder.logFile()).stream()
                .filter(line -> line.startsWith("{")).toList();
        assertFalse(lines.isEmpty(), "JSON log lines in " + responder.logFile());
        com.fasterxml.jackson.databind.JsonNode first = json.readTree(lines.get(0));
        assertTrue(first.has("message") && first.has("level") && first.has("timestamp"), lines.get(0));
    }
}
