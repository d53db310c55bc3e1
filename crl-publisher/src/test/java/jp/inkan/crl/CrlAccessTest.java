package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RegistryTopic;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.LocalEnv;
import jp.inkan.testing.Pem;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * CRL downloads gated per CA: the authentication CA in {@code mtls} mode, the signature CA open;
 * relying parties from the registry topic (records written as the operator command writes them),
 * fetched with {@code curl --cert} and read back with {@code openssl crl}.
 */
@QuarkusTest
@TestProfile(CrlAccessTest.AuthenticationMtls.class)
class CrlAccessTest {

    static final String TOPIC = "inkan.relying-parties.crl-test-" + System.currentTimeMillis();
    static final String AUTH_FULL = "/crl/authentication/g01/full.crl";

    public static class AuthenticationMtls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("inkan.crl.access.authentication", "mtls", "inkan.crl.access.registry-topic", TOPIC,
                    "quarkus.http.test-ssl-port", Integer.toString(freePort()));
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path rp() {
        return Path.of(LocalEnv.env().get("INKAN_PKI_DIR")).resolve("relying-parties");
    }

    static void register(String id, RelyingParty.Kind kind, Set<CertificateType> cas, RelyingParty.State state, long revision)
            throws Exception {
        X509Certificate client = Pem.certificate(Files.readString(rp().resolve(id + ".pem")));
        RelyingParty party = new RelyingParty(RelyingParty.SCHEMA, id, id, kind, cas,
                List.of(RelyingParty.fingerprint(client.getEncoded())), List.of(), null, state, revision);
        assertEquals(List.of(), party.problems());
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared(CrlInfrastructure.BROKER).bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, id, RegistryTopic.JSON.writeValueAsString(party))).get();
        }
    }

    /** curl over HTTPS with {@code party}'s client certificate (or none): the HTTP status. */
    static String curl(String path, String party, Path out) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", out.toString(), "-w", "%{http_code}",
                "--cacert", LocalEnv.env().get("INKAN_PKI_DIR") + "/service-ca.pem"));
        if (party != null) {
            command.addAll(List.of("--cert", rp().resolve(party + ".pem").toString(), "--key",
                    rp().resolve(party + ".key").toString()));
        }
        command.add("https://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class)
                + path);
        ExternalTool.Result result = ExternalTool.run(command.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.output());
        return result.output().trim();
    }

    @Test
    void onlyAnActiveEntitledPartyDownloadsTheAuthenticationCrls() throws Exception {
        register("auth-verifier", RelyingParty.Kind.AUTHENTICATION_VERIFIER, Set.of(CertificateType.AUTHENTICATION),
                RelyingParty.State.ACTIVE, 1);
        register("sig-verifier", RelyingParty.Kind.SIGNATURE_VERIFIER, Set.of(CertificateType.SIGNATURE),
                RelyingParty.State.ACTIVE, 1);
        Crls.publish("complete");
        Path dir = Files.createTempDirectory("crl-access");
        Path crl = dir.resolve("auth.crl");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!curl(AUTH_FULL, "auth-verifier", crl).equals("200")) {
            assertTrue(System.nanoTime() < deadline, "the registry did not reach the publisher within 20 s");
            Thread.sleep(100);
        }
        ExternalTool.Result parsed = ExternalTool.run("openssl", "crl", "-inform", "DER", "-in", crl.toString(), "-noout",
                "-issuer");
        assertTrue(parsed.exitCode() == 0 && parsed.output().contains("authentication"), parsed.output());

        assertEquals("401", curl(AUTH_FULL, null, dir.resolve("none")), "no client certificate");
        assertEquals("403", curl(AUTH_FULL, "stranger", dir.resolve("stranger")), "nobody registered it");
        assertEquals("403", curl(AUTH_FULL, "sig-verifier", dir.resolve("sig")), "a signature verifier");
        assertEquals(401, Crls.get(AUTH_FULL).statusCode(), "plain HTTP carries no client certificate");
        assertEquals(200, Crls.get("/crl/signature/g01/full.crl").statusCode(), "the signature CA stays open");

        register("auth-verifier", RelyingParty.Kind.AUTHENTICATION_VERIFIER, Set.of(CertificateType.AUTHENTICATION),
                RelyingParty.State.SUSPENDED, 2);
        long suspended = System.nanoTime();
        while (!curl(AUTH_FULL, "auth-verifier", dir.resolve("suspended")).equals("403")) {
            assertTrue(System.nanoTime() - suspended < Duration.ofSeconds(5).toNanos(), "still served 5 s after suspension");
            Thread.sleep(50);
        }
        Map<String, Map<String, Integer>> usage = RestAssured.given().baseUri("http://127.0.0.1").port(Crls.managementPort())
                .get("/admin/relying-parties/usage").then().statusCode(200).extract().jsonPath().getMap("callers");
        assertTrue(usage.get("auth-verifier").get("queries") >= 1 && usage.get("auth-verifier").get("refusals") >= 1, usage.toString());
        assertEquals(1, usage.get("sig-verifier").get("refusals"), usage.toString());
        assertTrue(usage.get("anonymous").get("refusals") >= 2, usage.toString());
    }
}
