package jp.inkan.crl.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.LocalEnv;
import jp.inkan.testing.TempDirs;

/**
 * PostgreSQL (the crl test database, wiped), a Kafka broker process of these tests' own, and the
 * real ca-service as a process on the test token publishing its events to that broker. The
 * authentication CA is in access mode mtls, the sample relying parties registered.
 */
public class CrlInfrastructure implements QuarkusTestResourceLifecycleManager {

    public static final String BROKER = "crl-publisher";

    @Override
    public Map<String, String> start() {
        Map<String, String> e = LocalEnv.env();
        KafkaBroker broker = KafkaBroker.shared(BROKER);
        CaServiceProcess.start(Map.of("INKAN_KAFKA_BOOTSTRAP", broker.bootstrapServers()));
        Path output = LocalEnv.repoDir().resolve("crl-publisher/target/test-crl");
        try {
            TempDirs.deleteRecursively(output);
            Files.createDirectories(output);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", e.get("INKAN_CRL_DB_TEST_URL"));
        config.put("quarkus.datasource.username", e.get("INKAN_CRL_DB_USER"));
        config.put("quarkus.datasource.password", e.get("INKAN_CRL_DB_PASSWORD"));
        config.put("inkan.pki.dir", e.get("INKAN_PKI_DIR"));
        config.put("inkan.crl.ca-service.url", "https://localhost:" + CaServiceProcess.port());
        config.put("inkan.crl.events.bootstrap-servers", broker.bootstrapServers());
        config.put("inkan.crl.events.group-id", "crl-publisher-test-" + System.nanoTime());
        config.put("inkan.crl.output-dir", output.toString());
        config.put("quarkus.http.test-port", Integer.toString(freePort()));
        // The authentication CA's CRLs only for registered relying parties (CrlAccessTest); the
        // registry is on this broker, written before the publisher starts (as relying-party.sh writes it).
        config.put("quarkus.http.test-ssl-port", Integer.toString(freePort()));
        config.put("inkan.crl.access.authentication", "mtls");
        config.put("inkan.crl.access.registry-topic", RelyingParties.TOPIC);
        config.put("inkan.crl.access.usage-topic", RelyingParties.USAGE_TOPIC);
        RelyingParties.registerDev(broker.bootstrapServers());
        config.put("quarkus.management.test-port", Integer.toString(freePort()));
        return config;
    }

    @Override
    public void stop() {
        CaServiceProcess.stop();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
