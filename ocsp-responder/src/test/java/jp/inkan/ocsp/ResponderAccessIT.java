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
import jp.inkan.testing.Prometheus;
import jp.inkan.testing.ResponderProcess;
import jp.inkan.testing.TempDirs;
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
                        "inkan.ocsp.access.registry-topic", topic(),
                        "inkan.ocsp.access.usage-topic", usageTopic(),
                        // the audit file's refusal counts and anchoring every second, not every minute
                        "inkan.ocsp.audit.refusals-every", "PT1S", "inkan.ocsp.audit.anchor-every", "PT1S")).start().awaitReady(Duration.ofSeconds(120));
        dir = TempDirs.create("ocsp-access");
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

    static String usageTopic() {
        return topic().replace("relying-parties", "relying-party-usage");
    }

    @AfterAll
    static void stop() {
        if (responder != null) {
            responder.stop();
        }
        CaServiceProcess.stop();
    }

    @Test
    void theAuditFileRecordsWhatHappenedIsAnchoredInCaServiceAndAnAlteredLineIsNamed() throws Exception {
        assertEquals("401", curlPost(request(sigRoot, sigCert, "audit"), null, dir.resolve("audit.resp")), "no client certificate");
        Path file = responder.stateDir().resolve("audit/audit.jsonl");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        io.restassured.path.json.JsonPath verification;
        while (true) {
            verification = RestAssured.get(responder.managementUrl() + "/admin/audit/verification").then().statusCode(200)
                    .extract().jsonPath();
            String lines = Files.readString(file);
            if (verification.getLong("anchors") >= 1 && lines.contains("\"event\":\"ocsp.refused\"")
                    && verification.getLong("lastSeq") > 0) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "not anchored or refusal not audited within 30 s: " + verification.prettify());
            Thread.sleep(200);
        }
        assertTrue(verification.getBoolean("intact"), verification.prettify());
        List<String> lines = Files.readAllLines(file);
        assertTrue(lines.get(0).contains("\"event\":\"service.started\"") && lines.get(0).contains("signature=MTLS authentication=SIGNED_REQUEST"),
                lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"event\":\"responder.certificate-issued\"")), "responder certificates");
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"event\":\"registry.party-added\"") && l.contains("\"subject\":\"sig-verifier\"")),
                "registry changes applied");
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"actor\":\"anonymous\"") && l.contains("\"event\":\"ocsp.refused\"")
                && l.matches(".*\"detail\":\"HTTPS without a client certificate: \\d+ refused between .*")), "refusals, counted per caller");

        // Change one byte of the first line in place (the responder keeps appending at the end).
        byte[] all = Files.readAllBytes(file);
        int at = new String(all, StandardCharsets.ISO_8859_1).indexOf("registry topic");
        assertTrue(at > 0 && at < lines.get(0).length());
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap("registry_topic".getBytes(StandardCharsets.US_ASCII)), at);
        }
        io.restassured.path.json.JsonPath broken = RestAssured.get(responder.managementUrl() + "/admin/audit/verification")
                .then().statusCode(200).extract().jsonPath();
        assertFalse(broken.getBoolean("intact"));
        List<Map<String, Object>> breaks = broken.getList("breaks");
        assertEquals(1, breaks.size(), breaks.toString());
        assertEquals(1, ((Number) breaks.get(0).get("seq")).intValue());
        assertEquals(1, ((Number) breaks.get(0).get("line")).intValue());
        assertTrue(breaks.get(0).get("problem").toString().contains("altered"), breaks.toString());
        // The script an operator runs says the same.
        ProcessBuilder script = new ProcessBuilder("bash", LocalEnv.repoDir().resolve("deploy/local/audit-verify.sh").toString(),
                "ocsp-responder").redirectErrorStream(true);
        script.environment().put("INKAN_OCSP_MANAGEMENT_URL", responder.managementUrl());
        script.environment().put("INKAN_LOCAL_DIR", LocalEnv.localDir().toString());
        Process run = script.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, run.exitValue(), output);
        assertTrue(output.contains("BROKEN at entry 1 (line 1)"), output);
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
        builder.environment().put("INKAN_RELYING_PARTY_USAGE_TOPIC", usageTopic());
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

        Prometheus metrics = Prometheus.scrape(responder.managementPort());
        assertEquals(tooMany, metrics.value("inkan_ocsp_relying_party_rate_limited_total", Map.of("caller", "platform")),
                metrics.text());
        ExternalTool.Result report = command("usage", "--management", responder.managementUrl());
        assertEquals(0, report.exitCode(), report.output());
        assertTrue(report.output().lines().anyMatch(l -> l.startsWith("platform ") && l.trim().endsWith(" " + tooMany)),
                report.output());
        assertFalse(report.output().contains("Exception"), report.output());
    }

    static void awaitRateLimited() throws InterruptedException {
        awaitRate("platform", 5);
    }

    /** Waits until this replica applies {@code rate} (null: none) for the party. */
    static void awaitRate(String id, Integer rate) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<Map<String, Object>> parties = RestAssured.get(responder.managementUrl() + "/admin/relying-parties")
                    .jsonPath().getList("relyingParties");
            if (parties.stream().anyMatch(p -> id.equals(p.get("id")) && java.util.Objects.equals(rate, p.get("requestsPerSecond")))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "rate " + rate + " of " + id + " not applied within 20 s: " + parties);
            Thread.sleep(100);
        }
    }

    /**
     * wrk (which cannot present a client certificate) POSTs one signed request over and over as the
     * authentication verifier limited to 20/s, while a second wrk does the same as the platform
     * operator (no limit). Over wrk's run of d seconds the token bucket (full at the start: burst =
     * 20) can hand out at most 20 + 20 d answers; everything else must be tryLater, and the other
     * party must never be limited. The lower bound (half of 20 d) only guards against a limiter
     * that refuses everything: under constant pressure the bucket never overflows, so nearly all
     * 20 d tokens are taken even on a loaded machine.
     */
    @Test
    void theRateLimitHoldsUnderWrk() throws Exception {
        int rate = 20;
        assertEquals(0, command("add", "--id", "auth-verifier", "--name", "auth-verifier (limited)", "--kind",
                "AUTHENTICATION_VERIFIER", "--ca", "authentication", "--client-cert", rp.resolve("auth-verifier.pem").toString(),
                "--signer-cert", rp.resolve("auth-verifier-signer.pem").toString(), "--rate", Integer.toString(rate)).exitCode());
        try {
            assertEquals(0, command("add", "--id", "platform", "--name", "platform", "--kind", "PLATFORM_OPERATOR", "--ca",
                    "signature,authentication", "--client-cert", rp.resolve("platform.pem").toString(), "--signer-cert",
                    rp.resolve("platform-signer.pem").toString()).exitCode());
            awaitRate("auth-verifier", rate);
            awaitRate("platform", null);
            awaitRegistry("platform", "ACTIVE");
            Path limitedRequest = signedRequest("auth-verifier-signer", "wrk-limited");
            Path otherRequest = signedRequest("platform-signer", "wrk-other");
            Prometheus before = Prometheus.scrape(responder.managementPort());
            Thread.sleep(1200); // a full bucket
            Path script = Path.of(ResponderAccessIT.class.getResource("/wrk/ocsp-post-count.lua").toURI());
            Process other = new ProcessBuilder("wrk", "-t1", "-c1", "-d3s", "-s", script.toString(), responder.url(), "--",
                    otherRequest.toString()).redirectErrorStream(true).start();
            ExternalTool.Result limited = ExternalTool.run("wrk", "-t1", "-c4", "-d3s", "-s", script.toString(), responder.url(),
                    "--", limitedRequest.toString());
            String otherOutput = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(other.waitFor(30, TimeUnit.SECONDS));
            Map<String, Long> l = wrkCounts(limited.output());
            Map<String, Long> o = wrkCounts(otherOutput);
            double seconds = l.get("duration-us") / 1e6;
            long answered = l.get("successful");
            long limitedAway = l.get("try-later");
            System.out.printf("wrk at %d/s for %.2f s: %d answered, %d tryLater; other party %d answered, %d tryLater%n",
                    rate, seconds, answered, limitedAway, o.get("successful"), o.get("try-later"));
            assertEquals(0, l.get("other") + l.get("socket-errors"), limited.output());
            assertEquals(l.get("requests"), answered + limitedAway, limited.output());
            assertTrue(answered <= rate + rate * seconds + 1, answered + " answered in " + seconds + " s: " + limited.output());
            assertTrue(answered >= rate * seconds / 2, "only " + answered + " answered in " + seconds + " s: " + limited.output());
            assertTrue(limitedAway > answered, "wrk did not push past the limit: " + limited.output());
            assertEquals(0, o.get("try-later") + o.get("other") + o.get("socket-errors"), otherOutput);
            assertTrue(o.get("successful") > 0, otherOutput);

            // The responder counted the same (up to the few requests per connection wrk stopped waiting for).
            Prometheus after = Prometheus.scrape(responder.managementPort());
            Map<String, String> caller = Map.of("caller", "auth-verifier");
            double queries = after.value("inkan_ocsp_relying_party_queries_total", caller)
                    - before.value("inkan_ocsp_relying_party_queries_total", caller);
            double rateLimited = after.value("inkan_ocsp_relying_party_rate_limited_total", caller)
                    - before.value("inkan_ocsp_relying_party_rate_limited_total", caller);
            assertTrue(queries >= answered && queries <= rate + rate * seconds + 2, queries + " vs " + answered);
            assertTrue(rateLimited >= limitedAway && queries + rateLimited <= answered + limitedAway + 4,
                    rateLimited + " vs " + limitedAway);
        } finally {
            // back to no limit for the other tests
            assertEquals(0, command("add", "--id", "auth-verifier", "--name", "利用者証明検証者 (dev)", "--kind",
                    "AUTHENTICATION_VERIFIER", "--ca", "authentication", "--client-cert", rp.resolve("auth-verifier.pem").toString(),
                    "--signer-cert", rp.resolve("auth-verifier-signer.pem").toString()).exitCode());
            awaitRate("auth-verifier", null);
        }
    }

    /** openssl writes a signed request with a nonce for the authentication certificate. */
    static Path signedRequest(String signer, String name) {
        Path der = dir.resolve(name + ".req");
        ExternalTool.Result reqout = ExternalTool.run("openssl", "ocsp", "-issuer", authRoot.toString(), "-cert",
                authCert.toString(), "-signer", rp.resolve(signer + ".pem").toString(), "-signkey",
                rp.resolve(signer + ".key").toString(), "-nonce", "-reqout", der.toString());
        assertEquals(0, reqout.exitCode(), reqout.output());
        return der;
    }

    /** The counts the wrk script prints ("ocsp successful=N try-later=N ..."). */
    static Map<String, Long> wrkCounts(String output) {
        String line = output.lines().filter(l -> l.startsWith("ocsp ")).findFirst()
                .orElseThrow(() -> new AssertionError("no counts from wrk: " + output));
        Map<String, Long> counts = new java.util.HashMap<>();
        for (String pair : line.substring(5).trim().split(" ")) {
            String[] kv = pair.split("=");
            counts.put(kv[0], Long.parseLong(kv[1]));
        }
        return counts;
    }

    /**
     * The daily report reads the usage topic: what a replica counted is still there after it
     * restarts (SIGTERM publishes what was left since the last publication).
     */
    @Test
    void theUsageReportSurvivesARestart() throws Exception {
        Map<String, List<Long>> before = report(true);
        Path request = request(sigRoot, sigCert, "restart");
        assertEquals("200", curlPost(request, "sig-verifier", dir.resolve("restart.resp")));
        for (int i = 0; i < 3; i++) {
            assertEquals("401", curlPost(request, null, dir.resolve("restart.resp")));
        }
        // Most likely not published yet (every 10 s): SIGTERM publishes what is left.
        responder.stop();
        responder.start().awaitReady(Duration.ofSeconds(120));
        Map<String, List<Long>> expected = new java.util.TreeMap<>(before);
        expected.merge("sig-verifier", List.of(1L, 0L, 0L), ResponderAccessIT::plus);
        expected.merge("anonymous", List.of(0L, 3L, 0L), ResponderAccessIT::plus);
        assertEquals(expected, report(false), "before the restart: " + before);
    }

    static List<Long> plus(List<Long> a, List<Long> b) {
        return List.of(a.get(0) + b.get(0), a.get(1) + b.get(1), a.get(2) + b.get(2));
    }

    /** The usage report as the operator command prints it, per caller: queries, refusals, rate-limited. */
    static Map<String, List<Long>> report(boolean publishFirst) throws Exception {
        ExternalTool.Result report = publishFirst ? command("usage", "--management", responder.managementUrl()) : command("usage");
        assertEquals(0, report.exitCode(), report.output());
        Map<String, List<Long>> callers = new java.util.TreeMap<>();
        report.output().lines().skip(2).map(String::trim).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split("\\s+");
            callers.put(f[0], List.of(Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
        });
        return callers;
    }
}
