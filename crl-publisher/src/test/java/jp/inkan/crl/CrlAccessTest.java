package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.common.relyingparty.UsageTopic;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import jp.inkan.crl.testing.RelyingParties;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.Prometheus;
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.Test;

/**
 * CRL downloads gated per CA: in these tests the authentication CA is in {@code mtls} mode and the
 * signature CA open (CrlInfrastructure); the sample relying parties are on the registry topic.
 * Fetched with {@code curl --cert}, read back with {@code openssl crl}.
 */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class CrlAccessTest {

    static final String AUTH_FULL = "/crl/authentication/g01/full.crl";

    @Test
    void onlyAnActiveEntitledPartyDownloadsTheAuthenticationCrls() throws Exception {
        // Other test classes of this JVM refuse downloads too (AuditTrailTest): count from here.
        Map<String, Map<String, Integer>> before = usage();
        Prometheus metricsBefore = Prometheus.scrape(Crls.managementPort());
        RestAssured.given().baseUri("http://127.0.0.1").port(Crls.managementPort())
                .post("/crl/publish?kind=complete").then().statusCode(200);
        Path dir = TempDirs.create("crl-access");
        Path crl = dir.resolve("auth.crl");
        long started = System.nanoTime();
        while (!RelyingParties.curl(AUTH_FULL, "auth-verifier", crl).equals("200")) { // 503 while the registry loads
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "registry not loaded within 20 s");
            Thread.sleep(100);
        }
        ExternalTool.Result parsed = ExternalTool.run("openssl", "crl", "-inform", "DER", "-in", crl.toString(), "-noout",
                "-issuer");
        assertTrue(parsed.exitCode() == 0 && parsed.output().contains("authentication"), parsed.output());

        assertEquals("401", RelyingParties.curl(AUTH_FULL, null, dir.resolve("none")), "no client certificate");
        assertEquals("403", RelyingParties.curl(AUTH_FULL, "stranger", dir.resolve("stranger")), "nobody registered it");
        assertEquals("403", RelyingParties.curl(AUTH_FULL, "sig-verifier", dir.resolve("sig")), "a signature verifier");
        assertEquals(401, Crls.get(AUTH_FULL).statusCode(), "plain HTTP carries no client certificate");
        assertEquals("200", RelyingParties.curl("/crl/signature/g01/full.crl", null, dir.resolve("sig.crl")),
                "the signature CA stays open, on either listener");

        String bootstrap = KafkaBroker.shared(CrlInfrastructure.BROKER).bootstrapServers();
        try {
            RelyingParties.register(bootstrap, "auth-verifier", RelyingParty.Kind.AUTHENTICATION_VERIFIER,
                    Set.of(CertificateType.AUTHENTICATION), RelyingParty.State.SUSPENDED, 2);
            long suspended = System.nanoTime();
            while (!RelyingParties.curl(AUTH_FULL, "auth-verifier", dir.resolve("suspended")).equals("403")) {
                assertTrue(System.nanoTime() - suspended < Duration.ofSeconds(5).toNanos(), "still served 5 s after suspension");
                Thread.sleep(50);
            }
        } finally {
            // The other test classes of this JVM download as the authentication verifier.
            RelyingParties.register(bootstrap, "auth-verifier", RelyingParty.Kind.AUTHENTICATION_VERIFIER,
                    Set.of(CertificateType.AUTHENTICATION), RelyingParty.State.ACTIVE, 3);
        }
        long activated = System.nanoTime();
        while (!RelyingParties.curl(AUTH_FULL, "auth-verifier", dir.resolve("active")).equals("200")) {
            assertTrue(System.nanoTime() - activated < Duration.ofSeconds(5).toNanos(), "not served 5 s after activation");
            Thread.sleep(50);
        }
        Map<String, Map<String, Integer>> usage = usage();
        assertTrue(usage.get("auth-verifier").get("queries") >= 2 && usage.get("auth-verifier").get("refusals") >= 1,
                usage.toString());
        assertEquals(1, refusals(usage, "sig-verifier") - refusals(before, "sig-verifier"), usage + " after " + before);
        assertEquals(2, refusals(usage, "anonymous") - refusals(before, "anonymous"), usage + " after " + before);
        assertEquals(1, refusals(usage, "unregistered") - refusals(before, "unregistered"), usage + " after " + before);

        // The same counts as meters on /q/metrics.
        Prometheus metrics = Prometheus.scrape(Crls.managementPort());
        String refused = "inkan_crl_relying_party_refusals_total";
        assertEquals(1, metrics.value(refused, Map.of("caller", "sig-verifier"))
                - metricsBefore.value(refused, Map.of("caller", "sig-verifier")), metrics.text());
        assertEquals(2, metrics.value(refused, Map.of("caller", "anonymous"))
                - metricsBefore.value(refused, Map.of("caller", "anonymous")), metrics.text());
        // since start, so at least today's count (a test running across midnight in Japan has two days)
        assertTrue(metrics.value("inkan_crl_relying_party_queries_total", Map.of("caller", "auth-verifier"))
                >= usage.get("auth-verifier").get("queries"), metrics.text());

        // Published to the usage topic on demand: the daily report reads there what this replica counted.
        RestAssured.given().baseUri("http://127.0.0.1").port(Crls.managementPort())
                .post("/admin/relying-parties/usage/publish").then().statusCode(204);
        Map<String, Map<String, Integer>> published = usage();
        Map<String, Usage.Counts> report = UsageTopic.report(bootstrap, RelyingParties.USAGE_TOPIC,
                LocalDate.now(Usage.JAPAN), "crl-publisher");
        assertEquals(published.keySet(), report.keySet(), report.toString());
        published.forEach((caller, c) -> assertEquals(new Usage.Counts(c.get("queries"), c.get("refusals"), c.get("rateLimited")),
                report.get(caller), caller));
        assertTrue(UsageTopic.report(bootstrap, RelyingParties.USAGE_TOPIC, LocalDate.now(Usage.JAPAN), "ocsp-responder").isEmpty());
    }

    private static Map<String, Map<String, Integer>> usage() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(Crls.managementPort())
                .get("/admin/relying-parties/usage").then().statusCode(200).extract().jsonPath().getMap("callers");
    }

    private static int refusals(Map<String, Map<String, Integer>> usage, String caller) {
        return usage.getOrDefault(caller, Map.of()).getOrDefault("refusals", 0);
    }
}
