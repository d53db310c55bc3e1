package jp.inkan.registration.testing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.LocalEnv;

/**
 * PostgreSQL, SoftHSM2 and the dev PKI from deploy/local/infra.sh, and the real ca-service as its
 * own process; registration-service under test talks to it over mutual TLS.
 */
@QuarkusTestResource(RegistrationInfrastructure.class)
public class RegistrationInfrastructure implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Map<String, String> e = LocalEnv.env();
        CaServiceProcess.start();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.jdbc.url", e.get("INKAN_REGISTRATION_DB_TEST_URL"));
        config.put("quarkus.datasource.username", e.get("INKAN_REGISTRATION_DB_USER"));
        config.put("quarkus.datasource.password", e.get("INKAN_REGISTRATION_DB_PASSWORD"));
        config.put("inkan.pki.dir", e.get("INKAN_PKI_DIR"));
        config.put("quarkus.rest-client.ca.url", "https://localhost:" + CaServiceProcess.port());
        return config;
    }

    @Override
    public void stop() {
        CaServiceProcess.stop();
    }
}
