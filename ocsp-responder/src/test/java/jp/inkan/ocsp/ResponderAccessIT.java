package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jp.inkan.common.CertificateType;
import jp.inkan.ocsp.testing.CaClient;
import jp.inkan.ocsp.testing.Http;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.LocalEnv;
import jp.inkan.testing.Pem;
import jp.inkan.testing.ResponderProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access control with real clients: the packaged responder with the signature CA in {@code mtls}
 * mode and the authentication CA in {@code signed-request} mode, relying parties registered with
 * the operator command (deploy/local/relying-party.sh) on the test broker. {@code openssl ocsp}
 * cannot present a TLS client certificate, so for mTLS openssl writes the request, curl sends it
 * with the party's client certificate, and openssl checks the answer.
 */
class ResponderAccessIT {

    static KafkaBroker broker;
    static ResponderProcess responder;
    static Path dir;
    static Path rp;
    static Path sigRoot;
    static Path sigCert;
    static Path authRoot;
    static Path authCert;

    @BeforeAll
    static void start() throws Exception {
        broker = jp.inkan.ocsp.testing.Infrastructure.start();
        responder = new ResponderProcess("access", broker.bootstrapServers(),
                Map.of("inkan.ocsp.access.signature", "mtls", "inkan.ocsp.access.authentication", "signed-request",
                        // a topic of this test's own, so earlier runs' registrations do not count
                        "inkan.ocsp.access.registry-topic", topic())).start().awaitReady(Duration.ofSeconds(120));
        dir = Files.createTempDirectory("ocsp-access");
        rp = Path.of(LocalEnv.env().get("INKAN_PKI_DIR")).resolve("relying-parties");
        sigRoot = issue(CertificateType.SIGNATURE, "sig");
        sigCert = dir.resolve("sig.pem");
        authRoot = issue(CertificateType.AUTHENTICATION, "auth");
        authCert = dir.resolve("auth.pem");
        ExternalTool.Result registered = command("register-dev");
        assertEquals(0, registered.exitCode(), registered.output());
        awaitRegistry("sig-verifier", "ACTIVE");
    }

    static String topic;

    static String topic() {
        if (topic == null) {
            topic = "inkan.relying-parties.it-" + System.currentTimeMillis();
        }
        return topic;
    }

    @AfterAll
    static void stop() {
        if (responder != null) {
            responder.stop();
        }
        CaServiceProcess.stop();
    }

    /** Issues a certificate through ca-service, waits until the responder's store has it; returns its root's PEM file. */
    static Path issue(CertificateType type, String name) throws Exception {
        CaClient.Issued issued = CaClient.issue(type);
        X509Certificate root = CaClient.issuerOf(issued.certificate());
        Pem.write(dir, name + ".pem", issued.pem());
        Path rootPem = Pem.write(dir, name + "-root.pem", "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(root.getEncoded()) + "\n-----END CERTIFICATE-----\n");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!"VALID".equals(responder.entry(Http.ski(root), issued.serial()).getString("state"))) {
            assertTrue(System.nanoTime() < deadline, "certificate not in the store within 20 s");
            Thread.sleep(100);
        }
        return rootPem;
    }

    /** The operator command, pointed at the test broker and this test's topic. */
    static ExternalTool.Result command(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", LocalEnv.repoDir().resolve("deploy/local/relying-party.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("INKAN_KAFKA_BOOTSTRAP", broker.bootstrapServers());
        builder.environment().put("INKAN_RELYING_PARTY_TOPIC", topic());
        builder.environment().put("INKAN_LOCAL_DIR", LocalEnv.localDir().toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new ExternalTool.Result(process.exitValue(), output);
    }

    static void awaitRegistry(String id, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<Map<String, Object>> parties = RestAssured.get(responder.managementUrl() + "/admin/relying-parties")
                    .jsonPath().getList("relyingParties");
            if (parties.stream().anyMatch(p -> id.equals(p.get("id")) && state.equals(p.get("state")))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, id + " not " + state + " within 20 s: " + parties);
            Thread.sleep(100);
        }
    }

    /** openssl writes the request (no nonce) for {@code cert}. */
    static Path request(Path root, Path cert, String name) {
        Path der = dir.resolve(name + ".req");
        ExternalTool.Result reqout = ExternalTool.run("openssl", "ocsp", "-issuer", root.toString(), "-cert", cert.toString(),
                "-no_nonce", "-reqout", der.toString());
        assertEquals(0, reqout.exitCode(), reqout.output());
        return der;
    }

    /** curl POSTs it over HTTPS with {@code party}'s client certificate (or none); returns the HTTP status. */
    static String curlPost(Path request, String party, Path response) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", response.toString(), "-w", "%{http_code}",
                "--cacert", LocalEnv.env().get("INKAN_PKI_DIR") + "/service-ca.pem",
                "-H", "Content-Type: application/ocsp-request", "--data-binary", "@" + request));
        if (party != null) {
            command.addAll(List.of("--cert", rp.resolve(party + ".pem").toString(), "--key", rp.resolve(party + ".key").toString()));
        }
        command.add(responder.httpsUrl());
        ExternalTool.Result curl = ExternalTool.run(command.toArray(String[]::new));
        assertEquals(0, curl.exitCode(), curl.output());
        return curl.output().trim();
    }

    /** openssl reads and verifies the answer. */
    static String respin(Path response, Path root, Path cert) {
        return ExternalTool.run("openssl", "ocsp", "-respin", response.toString(), "-issuer", root.toString(),
                "-cert", cert.toString(), "-CAfile", root.toString()).output();
    }

    @Test
    void mtlsAnswersARegisteredEntitledPartyOnly() throws Exception {
        Path request = request(sigRoot, sigCert, "sig");
        Path response = dir.resolve("sig.resp");
        assertEquals("200", curlPost(request, "sig-verifier", response));
        String answer = respin(response, sigRoot, sigCert);
        assertTrue(answer.contains("Response verify OK") && answer.contains(sigCert + ": good"), answer);
        // RFC 5019 GET over HTTPS, twice (the second from the pre-signed cache on the I/O thread)
        String get = responder.httpsUrl() + "/" + URLEncoder.encode(Base64.getEncoder().encodeToString(
                Files.readAllBytes(request)), StandardCharsets.US_ASCII);
        for (int i = 0; i < 2; i++) {
            ExternalTool.Result curl = ExternalTool.run("curl", "-sS", "-f", "-o", response.toString(),
                    "--cacert", LocalEnv.env().get("INKAN_PKI_DIR") + "/service-ca.pem",
                    "--cert", rp.resolve("sig-verifier.pem").toString(), "--key", rp.resolve("sig-verifier.key").toString(), get);
            assertEquals(0, curl.exitCode(), curl.output());
            answer = respin(response, sigRoot, sigCert);
            assertTrue(answer.contains("Response verify OK") && answer.contains(sigCert + ": good"), answer);
        }

        assertEquals("401", curlPost(request, null, dir.resolve("none.resp")), "no client certificate");
        assertEquals("403", curlPost(request, "stranger", dir.resolve("stranger.resp")), "a certificate nobody registered");
        // An authentication verifier is a registered party, but not for the signature CA.
        Path refused = dir.resolve("auth-verifier.resp");
        assertEquals("200", curlPost(request, "auth-verifier", refused));
        assertTrue(respin(refused, sigRoot, sigCert).contains("Responder Error: unauthorized (6)"));
        // Anonymous over plain HTTP: unauthorized, the same bytes for a serial that does not exist.
        ExternalTool.Result anonymous = ExternalTool.run("openssl", "ocsp", "-issuer", sigRoot.toString(), "-cert",
                sigCert.toString(), "-url", responder.url(), "-CAfile", sigRoot.toString());
        assertTrue(anonymous.output().contains("Responder Error: unauthorized (6)"), anonymous.output());
        ExternalTool.Result unknownSerial = ExternalTool.run("openssl", "ocsp", "-issuer", sigRoot.toString(), "-serial",
                "0x123456789", "-url", responder.url(), "-CAfile", sigRoot.toString());
        assertTrue(unknownSerial.output().contains("Responder Error: unauthorized (6)"), unknownSerial.output());
    }

    @Test
    void signedRequestsWithOpensslSignerAndSignkey() {
        ExternalTool.Result signed = signedQuery("auth-verifier-signer", "-nonce");
        assertTrue(signed.output().contains("Response verify OK") && signed.output().contains(authCert + ": good"),
                signed.output());
        // A signature verifier cannot read the authentication CA's status.
        ExternalTool.Result signatureVerifier = signedQuery("sig-verifier-signer", "-nonce");
        assertTrue(signatureVerifier.output().contains("Responder Error: unauthorized (6)"), signatureVerifier.output());
        ExternalTool.Result noNonce = signedQuery("auth-verifier-signer", "-no_nonce");
        assertTrue(noNonce.output().contains("Responder Error: unauthorized (6)"), noNonce.output());
        ExternalTool.Result stranger = signedQuery("stranger-signer", "-nonce");
        assertTrue(stranger.output().contains("Responder Error: unauthorized (6)"), stranger.output());
        ExternalTool.Result unsigned = ExternalTool.run("openssl", "ocsp", "-issuer", authRoot.toString(), "-cert",
                authCert.toString(), "-url", responder.url(), "-CAfile", authRoot.toString(), "-nonce");
        assertTrue(unsigned.output().contains("Responder Error: unauthorized (6)"), unsigned.output());
    }

    static ExternalTool.Result signedQuery(String signer, String nonce) {
        return ExternalTool.run("openssl", "ocsp", "-issuer", authRoot.toString(), "-cert", authCert.toString(),
                "-signer", rp.resolve(signer + ".pem").toString(), "-signkey", rp.resolve(signer + ".key").toString(),
                "-url", responder.url(), "-CAfile", authRoot.toString(), nonce);
    }

    @Test
    void aSuspendedPartyIsRefusedWithinSecondsAndTheRateLimitHolds() throws Exception {
        Path request = request(sigRoot, sigCert, "suspend");
        assertEquals("200", curlPost(request, "platform", dir.resolve("platform.resp")));
        long started = System.nanoTime();
        ExternalTool.Result suspended = command("suspend", "--id", "platform");
        assertEquals(0, suspended.exitCode(), suspended.output());
        long commandDone = System.nanoTime();
        while (!curlPost(request, "platform", dir.resolve("platform.resp")).equals("403")) {
            assertTrue(System.nanoTime() - commandDone < Duration.ofSeconds(5).toNanos(), "still answered 5 s after suspension");
            Thread.sleep(50);
        }
        System.out.printf("suspension effective %d ms after the command returned (command took %d ms)%n",
                (System.nanoTime() - commandDone) / 1_000_000, (commandDone - started) / 1_000_000);
        assertEquals(0, command("activate", "--id", "platform").exitCode());
        awaitRegistry("platform", "ACTIVE");
        assertEquals("200", curlPost(request, "platform", dir.resolve("platform.resp")));

        // 5 requests per second: 40 requests on one keep-alive connection (one curl) as fast as it sends them.
        ExternalTool.Result limited = command("add", "--id", "platform", "--name", "platform (limited)", "--kind",
                "PLATFORM_OPERATOR", "--ca", "signature,authentication", "--client-cert", rp.resolve("platform.pem").toString(),
                "--rate", "5");
        assertEquals(0, limited.exitCode(), limited.output());
        awaitRateLimited();
        Thread.sleep(1200); // a full bucket
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", LocalEnv.env().get("INKAN_PKI_DIR")
                + "/service-ca.pem", "--cert", rp.resolve("platform.pem").toString(), "--key",
                rp.resolve("platform.key").toString(), "-H", "Content-Type: application/ocsp-request",
                "--data-binary", "@" + request, "-w", "%{http_code}\\n"));
        for (int i = 0; i < 40; i++) {
            command.addAll(List.of("-o", "/dev/null"));
        }
        for (int i = 0; i < 40; i++) {
            command.add(responder.httpsUrl());
        }
        long burst = System.nanoTime();
        ExternalTool.Result curl = ExternalTool.run(command.toArray(String[]::new));
        double seconds = (System.nanoTime() - burst) / 1e9;
        long ok = curl.output().lines().filter("200"::equals).count();
        long tooMany = curl.output().lines().filter("429"::equals).count();
        assertEquals(40, ok + tooMany, curl.output());
        assertTrue(ok >= 5 && ok <= 5 + Math.ceil(seconds * 5) + 1, ok + " answered in " + seconds + " s: " + curl.output());

        String metrics = RestAssured.get(responder.managementUrl() + "/admin/metrics").asString();
        assertTrue(metrics.contains("inkan_ocsp_relying_party_rate_limited_total{caller=\"platform\"} " + tooMany), metrics);
        ExternalTool.Result report = command("usage", "--management", responder.managementUrl());
        assertEquals(0, report.exitCode(), report.output());
        assertTrue(report.output().lines().anyMatch(l -> l.startsWith("platform ") && l.trim().endsWith(" " + tooMany)),
                report.output());
        assertFalse(report.output().contains("Exception"), report.output());
    }

    static void awaitRateLimited() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<Map<String, Object>> parties = RestAssured.get(responder.managementUrl() + "/admin/relying-parties")
                    .jsonPath().getList("relyingParties");
            if (parties.stream().anyMatch(p -> "platform".equals(p.get("id")) && Integer.valueOf(5).equals(p.get("requestsPerSecond")))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "rate not applied within 20 s");
            Thread.sleep(100);
        }
    }
}
