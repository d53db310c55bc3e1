package jp.inkan.ca.testing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.LocalEnv;

/**
 * Brings up the real PostgreSQL and SoftHSM2 with deploy/local/infra.sh (idempotent, quick when
 * already up) and a Kafka broker of the tests' own, and points the service at the test database,
 * the test token and that broker.
 */
@QuarkusTestResource(LocalInfrastructure.class)
public class LocalInfrastructure implements QuarkusTestResourceLifecycleManager {

    public static final String BROKER = "ca-service-tests";

    @Override
    public Map<String, String> start() {
        Map<String, String> e = LocalEnv.env();
        Path pinFile = LocalEnv.localDir().resolve("test-hsm-pin");
        try {
            Files.writeString(pinFile, e.get("INKAN_HSM_PIN") + "\n");
            Files.setPosixFilePermissions(pinFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", e.get("INKAN_CA_DB_TEST_URL"));
        config.put("quarkus.datasource.username", e.get("INKAN_CA_DB_USER"));
        config.put("quarkus.datasource.password", e.get("INKAN_CA_DB_PASSWORD"));
        config.put("inkan.hsm.library", e.get("INKAN_HSM_LIBRARY"));
        config.put("inkan.hsm.slot", e.get("INKAN_HSM_TEST_SLOT"));
        config.put("inkan.hsm.pin-file", pinFile.toString());
        config.put("inkan.pki.dir", e.get("INKAN_PKI_DIR"));
        // A broker of the tests' own, never the dev broker: tests kill and restart it.
        config.put("inkan.events.bootstrap-servers", KafkaBroker.shared(BROKER).bootstrapServers());
        return config;
    }

    @Override
    public void stop() {
    }
}
