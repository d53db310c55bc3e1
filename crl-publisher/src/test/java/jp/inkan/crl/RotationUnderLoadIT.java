package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.CrlPublisherProcess;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.Mtls;
import jp.inkan.testing.OcspRequests;
import jp.inkan.testing.Pem;
import jp.inkan.testing.ResponderProcess;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's rotation test: the signature CA is rotated (dual control through the operator API) in
 * the middle of an issuance + revocation + OCSP (GET and POST) + CRL download load against the real
 * services as processes — ca-service, ocsp-responder and crl-publisher with its scheduler on —
 * and not one request fails. Afterwards certificates of both generations validate against either
 * root with the link certificates (openssl, the JDK's PKIX validator with CRLs), OCSP answers for
 * both verify with openssl, and both generations' CRLs verify and list what was revoked.
 *
 * <p><b>Propagation allowance</b>: a certificate's status reaches the responder through the
 * outbox and Kafka, so OCSP is asked only about certificates issued at least {@link #PROPAGATION}
 * ago (else {@code unknown} is expected and right), and a revocation must show as {@code revoked}
 * once acknowledged at least {@link #PROPAGATION} before the question; in between either answer is
 * right. Anything else — {@code unknown} after the allowance, {@code tryLater}, {@code unauthorized},
 * a good answer after the allowance, a response signed by another generation's responder
 * certificate, a non-2xx issuance or revocation, a CRL download that is not 200 — is a failure.
 *
 * <p><b>Rotation rule</b> (README "Key rotation"): switchAt must be later than the execution by
 * more than the responder's CA-list refresh interval plus its check interval and the publisher's
 * check interval; here 2 s + 1 s and 1 s against a switch 8 s after execution, and the test checks
 * that responder and publisher serve the new generation before the switch.
 */
class RotationUnderLoadIT {

    static final Duration PROPAGATION = Duration.ofSeconds(4);
    static final Duration SWITCH_DELAY = Duration.ofSeconds(8);
    static final String MUNICIPALITY = "131016";
    static final String ADDRESS = "東京都千代田区千代田１－１";

    static KafkaBroker broker;
    static ResponderProcess responder;
    static CrlPublisherProcess publisher;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One certificate issued during the load, and what happened to it (times from this JVM's clock). */
    static final class Tracked {
        final String serial;
        final int generation;
        final String pem;
        final X509Certificate certificate;
        final Instant issued;
        volatile Instant revocationAsked;
        volatile Instant revoked;

        Tracked(String serial, int generation, String pem, Instant issued) {
            this.serial = serial;
            this.generation = generation;
            this.pem = pem;
            this.certificate = Pem.certificate(pem);
            this.issued = issued;
        }
    }

    @BeforeAll
    static void start() {
        broker = KafkaBroker.shared("rotation-load");
        CaServiceProcess.start(Map.of("INKAN_KAFKA_BOOTSTRAP", broker.bootstrapServers()));
        responder = new ResponderProcess("rotation-load", broker.bootstrapServers(),
                Map.of("inkan.ocsp.responder-certificates.check-interval", "PT1S",
                        "inkan.ocsp.ca-service.refresh-interval", "PT2S")).start();
        // Complete CRLs every 20 s and deltas every 4 s, so publication runs all along the load.
        publisher = new CrlPublisherProcess("rotation-load", broker.bootstrapServers(),
                Map.of("inkan.crl.schedule.check", "PT1S", "inkan.crl.schedule.complete-every", "PT20S",
                        "inkan.crl.schedule.delta-every", "PT4S")).start();
        responder.awaitReady(Duration.ofSeconds(120));
        publisher.awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (responder != null) {
            responder.stop();
        }
        if (publisher != null) {
            publisher.stop();
        }
        CaServiceProcess.stop();
    }

    @Test
    void aRotationUnderLoadFailsNoRequestAndBothGenerationsValidateEverywhere(@TempDir Path dir) throws Exception {
        Map<Integer, X509Certificate> roots = new ConcurrentHashMap<>(roots());
        assertEquals(Set.of(1), roots.keySet(), "a fresh signature CA");
        // The publisher's first scheduled check (5 s after start) publishes generation 01's CRLs.
        awaitUntil(Instant.now().plusSeconds(60), "generation 01's first CRLs",
                () -> status(publisher.url() + "/crl/signature/g01/full.crl") == 200
                        && status(publisher.url() + "/crl/signature/g01/full-delta.crl") == 200);
        List<Tracked> issued = new CopyOnWriteArrayList<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService load = Executors.newFixedThreadPool(7);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            workers.add(load.submit(() -> loop(stop, failures, () -> issue(issued, counts, failures))));
        }
        workers.add(load.submit(() -> loop(stop, failures, () -> revokeOne(issued, counts, failures))));
        for (int t = 0; t < 2; t++) {
            boolean get = t == 0;
            workers.add(load.submit(() -> loop(stop, failures, () -> askOcsp(issued, roots, get, counts, failures))));
        }
        // CRLs of the generations whose certificates exist (generation 02's from the switch on).
        Map<Integer, X509Certificate> crlGenerations = new ConcurrentHashMap<>(roots);
        workers.add(load.submit(() -> loop(stop, failures, () -> downloadCrls(crlGenerations, counts, failures))));
        // A load balancer (k8s readiness) would take an unready replica out: neither may drop out.
        workers.add(load.submit(() -> loop(stop, failures, () -> {
            for (var service : List.of(responder, publisher)) {
                int status = status(service.managementUrl() + "/q/health/ready");
                if (status != 200) {
                    failures.add(service.getClass().getSimpleName() + " not ready: " + status + " "
                            + RestAssured.get(service.managementUrl() + "/q/health/ready").asString());
                }
                count(counts, "ready");
            }
            Thread.sleep(20);
        })));

        Thread.sleep(6_000);
        // A switch sooner than inkan.ca.operators.min-switch-lead (PT1S for tests) after the execution
        // is refused, approvals or not: the services could not serve the new generation in time.
        long tooSoon = Mtls.given(CaServiceProcess.port(), "operators/alice").contentType(ContentType.JSON)
                .body(Map.of("action", "ROTATE", "ca", "SIGNATURE", "switchAt", Instant.now().toString()))
                .post("/operator/v1/requests").then().statusCode(201).extract().jsonPath().getLong("id");
        Mtls.given(CaServiceProcess.port(), "operators/bob").post("/operator/v1/requests/" + tooSoon + "/approval")
                .then().statusCode(200);
        Mtls.given(CaServiceProcess.port(), "operators/bob").post("/operator/v1/requests/" + tooSoon + "/execution")
                .then().statusCode(400).body("type", org.hamcrest.Matchers.equalTo("urn:inkan:problem:invalid-request"));
        assertEquals(Set.of(1), roots().keySet(), "the refused rotation made no generation");
        // Dual control: alice asks, alone she cannot execute; bob approves and executes.
        Instant switchAt = Instant.now().plus(SWITCH_DELAY);
        long id = Mtls.given(CaServiceProcess.port(), "operators/alice").contentType(ContentType.JSON)
                .body(Map.of("action", "ROTATE", "ca", "SIGNATURE", "switchAt", switchAt.toString()))
                .post("/operator/v1/requests").then().statusCode(201).extract().jsonPath().getLong("id");
        Mtls.given(CaServiceProcess.port(), "operators/alice").post("/operator/v1/requests/" + id + "/execution")
                .then().statusCode(409);
        Mtls.given(CaServiceProcess.port(), "operators/bob").post("/operator/v1/requests/" + id + "/approval")
                .then().statusCode(200);
        String outcome = Mtls.given(CaServiceProcess.port(), "operators/bob")
                .post("/operator/v1/requests/" + id + "/execution").then().statusCode(200).extract().jsonPath()
                .getString("outcome");
        assertTrue(outcome.startsWith("generation 02"), outcome);
        roots.putAll(roots());
        assertEquals(Set.of(1, 2), roots.keySet());

        // The rule that keeps the switch invisible: both services serve generation 02 before it issues.
        awaitUntil(switchAt, "the responder certifies signature-g02 before the switch",
                () -> responder.stats().getList("served.findAll { it.label == 'signature-g02' }.responderSerial")
                        .stream().anyMatch(s -> s != null));
        awaitUntil(switchAt, "the publisher serves generation 02's full CRL before the switch",
                () -> status(publisher.url() + "/crl/signature/g02/full.crl") == 200
                        && status(publisher.url() + "/crl/signature/g02/full-delta.crl") == 200
                        && status(publisher.url() + "/crl/signature/g02/" + MUNICIPALITY + ".crl") == 200);
        crlGenerations.put(2, roots.get(2));
        assertTrue(Instant.now().isBefore(switchAt), "checked before the switch");

        // The load goes on long enough after the switch for new certificates to be asked about.
        while (Instant.now().isBefore(switchAt.plus(PROPAGATION).plusSeconds(8))) {
            Thread.sleep(200);
        }
        stop.set(true);
        for (Future<?> worker : workers) {
            worker.get(60, TimeUnit.SECONDS);
        }
        load.shutdown();
        System.out.println("rotation under load: " + new java.util.TreeMap<>(counts));
        assertEquals(List.of(), List.copyOf(failures), "no request failed during the rotation; counts " + counts);
        for (String expected : List.of("issue.g1", "issue.g2", "revoke.g1", "revoke.g2", "ocsp.get.good.g1",
                "ocsp.post.good.g1", "ocsp.get.good.g2", "ocsp.post.good.g2", "ocsp.revoked.g1", "ocsp.revoked.g2",
                "crl.g1", "crl.g2")) {
            assertTrue(counts.containsKey(expected), expected + " happened under load: " + counts);
        }
        assertTrue(counts.containsKey("crl.published-during-load.g1") && counts.containsKey("crl.published-during-load.g2"),
                "both generations' CRLs kept being published during the load: " + counts);

        afterTheLoad(dir, issued, roots);
    }

    // ---- The load ------------------------------------------------------------------------------

    interface Step {
        void run() throws Exception;
    }

    static void loop(AtomicBoolean stop, ConcurrentLinkedQueue<String> failures, Step step) {
        while (!stop.get()) {
            try {
                step.run();
            } catch (Exception | AssertionError e) {
                failures.add(e.toString());
            }
        }
    }

    static void count(Map<String, AtomicLong> counts, String what) {
        counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    static void issue(List<Tracked> issued, Map<String, AtomicLong> counts, ConcurrentLinkedQueue<String> failures) {
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Tokyo"));
        Map<String, Object> holder = new HashMap<>();
        holder.put("name", "山田\u3000太郎");
        holder.put("nameSubstitutionFlags", "00000");
        holder.put("dateOfBirth", today.minusYears(40).minusDays(100).toString());
        holder.put("sex", 1);
        holder.put("address", ADDRESS);
        holder.put("addressSubstitutionFlags", "0".repeat(ADDRESS.codePointCount(0, ADDRESS.length())));
        holder.put("adultWard", false);
        Map<String, Object> body = new HashMap<>();
        body.put("requestId", "rotation-load-" + UUID.randomUUID());
        body.put("type", "SIGNATURE");
        body.put("csr", Csrs.freshRsa());
        body.put("municipalityCode", MUNICIPALITY);
        body.put("counterId", "A01");
        body.put("cardSerial", "CARD" + System.nanoTime());
        body.put("cardExpiry", today.plusYears(10).toString());
        body.put("holder", holder);
        var response = Mtls.given(CaServiceProcess.port(), "registration-service").contentType(ContentType.JSON)
                .body(body).post("/internal/v1/certificates").then().extract();
        if (response.statusCode() != 201) {
            failures.add("issuance answered " + response.statusCode() + ": " + response.body().asString());
            return;
        }
        JsonPath json = response.jsonPath();
        Tracked tracked = new Tracked(json.getString("serial"), json.getInt("keyGeneration"),
                json.getString("certificatePem"), Instant.now());
        issued.add(tracked);
        count(counts, "issue.g" + tracked.generation);
    }

    /** Revokes about every third certificate, keyCompromise. */
    static void revokeOne(List<Tracked> issued, Map<String, AtomicLong> counts, ConcurrentLinkedQueue<String> failures)
            throws InterruptedException {
        long revoked = issued.stream().filter(t -> t.revocationAsked != null).count();
        Tracked target = issued.stream().filter(t -> t.revocationAsked == null).reduce((a, b) -> b).orElse(null);
        if (target == null || revoked * 3 >= issued.size()) {
            Thread.sleep(50);
            return;
        }
        target.revocationAsked = Instant.now();
        var response = Mtls.given(CaServiceProcess.port(), "registration-service").contentType(ContentType.JSON)
                .body(Map.of("municipalityCode", MUNICIPALITY, "reason", "keyCompromise"))
                .post("/internal/v1/cas/signature/certificates/" + target.serial + "/revocation").then().extract();
        if (response.statusCode() != 200) {
            failures.add("revocation answered " + response.statusCode() + ": " + response.body().asString());
            return;
        }
        target.revoked = Instant.now();
        count(counts, "revoke.g" + target.generation);
    }

    /** One OCSP question about a random certificate old enough to be known, checked for the right answer. */
    static void askOcsp(List<Tracked> issued, Map<Integer, X509Certificate> roots, boolean get,
                        Map<String, AtomicLong> counts, ConcurrentLinkedQueue<String> failures) throws Exception {
        Instant asked = Instant.now();
        List<Tracked> known = issued.stream().filter(t -> t.issued.plus(PROPAGATION).isBefore(asked)).toList();
        if (known.isEmpty()) {
            Thread.sleep(50);
            return;
        }
        Tracked t = known.get(ThreadLocalRandom.current().nextInt(known.size()));
        X509Certificate root = roots.get(t.generation);
        Instant revokedBefore = t.revoked;
        byte[] request = OcspRequests.request(root, new BigInteger(t.serial, 16));
        HttpRequest http = get
                ? HttpRequest.newBuilder(URI.create(responder.url() + "/" + URLEncoder.encode(
                        Base64.getEncoder().encodeToString(request), StandardCharsets.UTF_8))).GET().build()
                : HttpRequest.newBuilder(URI.create(responder.url())).header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build();
        HttpResponse<byte[]> response = HTTP.send(http, HttpResponse.BodyHandlers.ofByteArray());
        String what = (get ? "GET " : "POST ") + t.serial + " (g" + t.generation + ")";
        if (response.statusCode() != 200) {
            failures.add(what + ": HTTP " + response.statusCode());
            return;
        }
        OCSPResp ocsp = OcspRequests.parse(response.body());
        if (ocsp.getStatus() != OCSPResp.SUCCESSFUL) {
            failures.add(what + ": OCSP response status " + ocsp.getStatus());
            return;
        }
        BasicOCSPResp basic = OcspRequests.verified(response.body());
        // Signed by the delegated responder certificate of the certificate's own generation.
        X509Certificate signer = Pem.certificate(pem(basic.getCerts()[0].getEncoded()));
        try {
            signer.verify(root.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            failures.add(what + ": signed by a responder certificate of another generation");
            return;
        }
        SingleResp single = basic.getResponses()[0];
        if (!single.getCertID().getSerialNumber().equals(new BigInteger(t.serial, 16))) {
            failures.add(what + ": answer for another serial");
            return;
        }
        boolean revoked = single.getCertStatus() instanceof RevokedStatus;
        boolean good = single.getCertStatus() == null;
        Instant askedAfterwards = t.revocationAsked;
        if (single.getCertStatus() instanceof UnknownStatus) {
            failures.add(what + ": unknown " + Duration.between(t.issued, asked).toMillis() + " ms after issuance");
        } else if (revokedBefore != null && revokedBefore.plus(PROPAGATION).isBefore(asked) && !revoked) {
            failures.add(what + ": still good " + Duration.between(revokedBefore, asked).toMillis()
                    + " ms after the revocation was acknowledged");
        } else if (askedAfterwards == null && !good) {
            failures.add(what + ": revoked, but nobody revoked it");
        } else if (revoked && ((RevokedStatus) single.getCertStatus()).getRevocationReason() != 1) {
            failures.add(what + ": revoked with reason " + ((RevokedStatus) single.getCertStatus()).getRevocationReason());
        } else {
            count(counts, revoked ? "ocsp.revoked.g" + t.generation
                    : "ocsp." + (get ? "get" : "post") + ".good.g" + t.generation);
        }
    }

    /** A relying party downloading the complete and delta CRL of each generation it has certificates of. */
    static final Map<String, BigInteger> LAST_NUMBER = new ConcurrentHashMap<>();

    static void downloadCrls(Map<Integer, X509Certificate> generations, Map<String, AtomicLong> counts,
                             ConcurrentLinkedQueue<String> failures) throws Exception {
        for (Map.Entry<Integer, X509Certificate> generation : Map.copyOf(generations).entrySet()) {
            for (String file : List.of("full.crl", "full-delta.crl")) {
                String url = publisher.url() + "/crl/signature/g0" + generation.getKey() + "/" + file;
                HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    failures.add(url + ": HTTP " + response.statusCode());
                    continue;
                }
                X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509")
                        .generateCRL(new java.io.ByteArrayInputStream(response.body()));
                crl.verify(generation.getValue().getPublicKey());
                BigInteger number = ASN1Integer.getInstance(ASN1OctetString.getInstance(
                        crl.getExtensionValue("2.5.29.20")).getOctets()).getValue();
                BigInteger previous = LAST_NUMBER.put(url, number);
                if (previous != null && number.compareTo(previous) < 0) {
                    failures.add(url + ": CRL number went back from " + previous + " to " + number);
                } else if (previous != null && number.compareTo(previous) > 0) {
                    count(counts, "crl.published-during-load.g" + generation.getKey());
                }
                count(counts, "crl.g" + generation.getKey());
            }
        }
        Thread.sleep(250);
    }

    // ---- After the load ------------------------------------------------------------------------

    void afterTheLoad(Path dir, List<Tracked> issued, Map<Integer, X509Certificate> roots) throws Exception {
        Instant settled = Instant.now().minus(PROPAGATION);
        Tracked oldGood = pick(issued, t -> t.generation == 1 && t.revocationAsked == null);
        Tracked oldRevoked = pick(issued, t -> t.generation == 1 && t.revoked != null && t.revoked.isBefore(settled));
        Tracked newGood = pick(issued, t -> t.generation == 2 && t.revocationAsked == null);
        Tracked newRevoked = pick(issued, t -> t.generation == 2 && t.revoked != null && t.revoked.isBefore(settled));
        X509Certificate root1 = roots.get(1);
        X509Certificate root2 = roots.get(2);
        Path root1File = Pem.write(dir, "root1.pem", pem(root1.getEncoded()));
        Path root2File = Pem.write(dir, "root2.pem", pem(root2.getEncoded()));
        String links = Mtls.given(CaServiceProcess.port(), "crl-publisher").get("/internal/v1/cas/signature/links.pem")
                .then().statusCode(200).extract().asString();
        Path linksFile = Pem.write(dir, "links.pem", links);
        X509Certificate newWithOld = Pem.certificates(links).stream()
                .filter(l -> l.getPublicKey().equals(root2.getPublicKey())).findFirst().orElseThrow();
        X509Certificate oldWithNew = Pem.certificates(links).stream()
                .filter(l -> l.getPublicKey().equals(root1.getPublicKey())).findFirst().orElseThrow();
        Map<Tracked, Path> files = new HashMap<>();
        for (Tracked t : List.of(oldGood, oldRevoked, newGood, newRevoked)) {
            files.put(t, Pem.write(dir, "g" + t.generation + "-" + t.serial + ".pem", t.pem));
        }

        // openssl: either root, the links as untrusted intermediates, both generations.
        for (Path root : List.of(root1File, root2File)) {
            for (Tracked t : List.of(oldGood, newGood)) {
                ExternalTool.Result verified = ExternalTool.run("openssl", "verify", "-x509_strict", "-CAfile",
                        root.toString(), "-untrusted", linksFile.toString(), files.get(t).toString());
                assertEquals(0, verified.exitCode(), root.getFileName() + " / g" + t.generation + ": " + verified.output());
            }
        }

        // Complete CRLs now, after the last revocations propagated, for the revocation checks.
        RestAssured.given().post(publisher.managementUrl() + "/crl/publish?kind=complete&ca=signature")
                .then().statusCode(200);
        Map<Integer, byte[]> partitions = new HashMap<>();
        for (int generation : List.of(1, 2)) {
            partitions.put(generation, download(publisher.url() + "/crl/signature/g0" + generation + "/" + MUNICIPALITY + ".crl"));
        }
        for (int generation : List.of(1, 2)) {
            Path crl = dir.resolve("g" + generation + ".crl");
            Files.write(crl, partitions.get(generation));
            Path root = generation == 1 ? root1File : root2File;
            ExternalTool.Result verified = ExternalTool.run("openssl", "crl", "-inform", "DER", "-in", crl.toString(),
                    "-noout", "-CAfile", root.toString());
            assertTrue(verified.exitCode() == 0 && verified.output().contains("verify OK"), verified.output());
            Path crlPem = dir.resolve("g" + generation + "-crl.pem");
            ExternalTool.Result converted = ExternalTool.run("openssl", "crl", "-inform", "DER", "-in", crl.toString(),
                    "-out", crlPem.toString());
            assertEquals(0, converted.exitCode(), converted.output());
            Tracked good = generation == 1 ? oldGood : newGood;
            Tracked revoked = generation == 1 ? oldRevoked : newRevoked;
            ExternalTool.Result goodChecked = ExternalTool.run("openssl", "verify", "-x509_strict", "-crl_check",
                    "-CAfile", root.toString(), "-CRLfile", crlPem.toString(), files.get(good).toString());
            assertEquals(0, goodChecked.exitCode(), goodChecked.output());
            ExternalTool.Result revokedChecked = ExternalTool.run("openssl", "verify", "-x509_strict", "-crl_check",
                    "-CAfile", root.toString(), "-CRLfile", crlPem.toString(), files.get(revoked).toString());
            assertNotEquals(0, revokedChecked.exitCode(), revokedChecked.output());
            assertTrue(revokedChecked.output().contains("certificate revoked"), revokedChecked.output());
        }

        // One issuer name for all generations: a CRL's scope is the name (and IDP), not the key, so
        // each generation's CRL lists the other's revocations too (the JDK below relies on it).
        CertificateFactory crlReader = CertificateFactory.getInstance("X.509");
        X509CRL crl1 = (X509CRL) crlReader.generateCRL(new java.io.ByteArrayInputStream(partitions.get(1)));
        X509CRL crl2 = (X509CRL) crlReader.generateCRL(new java.io.ByteArrayInputStream(partitions.get(2)));
        assertTrue(crl2.getRevokedCertificate(new BigInteger(oldRevoked.serial, 16)) != null,
                "generation 02's CRL lists a revoked generation 01 certificate");
        assertTrue(crl1.getRevokedCertificate(new BigInteger(newRevoked.serial, 16)) != null,
                "generation 01's CRL lists a revoked generation 02 certificate");

        // The JDK's PKIX validator, from either anchor, on [certificate] or [certificate, link], with
        // the CRL of the certificate's generation for its revocation check.
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        List<X509CRL> crls = new ArrayList<>();
        for (byte[] der : partitions.values()) {
            crls.add((X509CRL) x509.generateCRL(new java.io.ByteArrayInputStream(der)));
        }
        for (X509Certificate anchor : List.of(root1, root2)) {
            for (Tracked t : List.of(oldGood, oldRevoked, newGood, newRevoked)) {
                boolean direct = anchor == roots.get(t.generation);
                List<X509Certificate> path = direct ? List.of(t.certificate)
                        : List.of(t.certificate, t.generation == 1 ? oldWithNew : newWithOld);
                CertPathValidator validator = CertPathValidator.getInstance("PKIX");
                PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
                // The links carry no CRL distribution point of their own: only the end entity is checked.
                revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                        PKIXRevocationChecker.Option.NO_FALLBACK, PKIXRevocationChecker.Option.ONLY_END_ENTITY));
                PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
                parameters.setPolicyQualifiersRejected(false);
                parameters.addCertPathChecker(revocation);
                parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
                String label = "anchor g" + (anchor == root1 ? 1 : 2) + ", certificate g" + t.generation;
                if (t.revoked == null) {
                    validator.validate(x509.generateCertPath(path), parameters);
                } else {
                    CertPathValidatorException refused = assertThrows(CertPathValidatorException.class,
                            () -> validator.validate(x509.generateCertPath(path), parameters), label);
                    assertEquals(CertPathValidatorException.BasicReason.REVOKED, refused.getReason(), label + ": " + refused);
                }
            }
        }

        // OCSP with openssl, trusting either root (links as -verify_other): both generations' answers verify.
        for (Path trusted : List.of(root1File, root2File)) {
            for (Tracked t : List.of(oldGood, oldRevoked, newGood, newRevoked)) {
                ExternalTool.Result ocsp = ExternalTool.run("openssl", "ocsp", "-issuer",
                        (t.generation == 1 ? root1File : root2File).toString(), "-cert", files.get(t).toString(),
                        "-url", responder.url(), "-CAfile", trusted.toString(), "-verify_other", linksFile.toString(),
                        "-no_nonce");
                assertEquals(0, ocsp.exitCode(), ocsp.output());
                assertTrue(ocsp.output().contains("Response verify OK"), ocsp.output());
                assertTrue(ocsp.output().contains(files.get(t) + ": " + (t.revoked == null ? "good" : "revoked")),
                        ocsp.output());
            }
        }
    }

    static Tracked pick(List<Tracked> issued, Predicate<Tracked> which) {
        return issued.stream().filter(which).findFirst()
                .orElseThrow(() -> new AssertionError("no such certificate among " + issued.size()));
    }

    static Map<Integer, X509Certificate> roots() {
        Map<Integer, X509Certificate> roots = new HashMap<>();
        List<Map<String, Object>> generations = Mtls.given(CaServiceProcess.port(), "crl-publisher")
                .get("/internal/v1/cas").then().statusCode(200).extract().jsonPath().getList("$");
        for (Map<String, Object> g : generations) {
            if ("SIGNATURE".equals(g.get("ca"))) {
                roots.put((Integer) g.get("generation"), Pem.certificate((String) g.get("certificatePem")));
            }
        }
        return roots;
    }

    static void awaitUntil(Instant deadline, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not by " + deadline + ": " + what);
    }

    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static byte[] download(String url) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), url);
        return response.body();
    }

    static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }
}
