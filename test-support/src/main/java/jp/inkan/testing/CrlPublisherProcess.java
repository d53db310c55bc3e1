package jp.inkan.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The real crl-publisher, run from its packaged jar as its own JVM (scheduler on, as in production),
 * on the crl test database (wiped at start), signing through the running ca-service and writing
 * into an empty output directory of its own.
 */
public final class CrlPublisherProcess extends ServiceProcess {

    private final Path outputDir;

    public CrlPublisherProcess(String name, String bootstrap, Map<String, String> extraProperties) {
        super("crl-publisher", name, extraProperties);
        this.outputDir = LocalEnv.localDir().resolve("crl-test-output").resolve(name);
        Map<String, String> e = LocalEnv.env();
        connectTo(bootstrap);
        env.put("INKAN_CRL_DB_URL", e.get("INKAN_CRL_DB_TEST_URL"));
        env.put("INKAN_CRL_DB_USER", e.get("INKAN_CRL_DB_USER"));
        env.put("INKAN_CRL_DB_PASSWORD", e.get("INKAN_CRL_DB_PASSWORD"));
        env.put("INKAN_CRL_DIR", outputDir.toString());
        env.put("INKAN_CRL_BASE_URL", url());
        // The test database holds the scopes and numbers of earlier runs, made under other keys.
        properties.add("-Dquarkus.flyway.clean-disabled=false");
        properties.add("-Dquarkus.flyway.clean-at-start=true");
        properties.add("-Dinkan.crl.events.group-id=crl-publisher-" + name + "-" + System.nanoTime());
        TempDirs.deleteRecursively(outputDir);
    }

    /** Base URL of the CRLs, e.g. {@code url() + "/crl/signature/g01/full.crl"}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public Path outputDir() {
        return outputDir;
    }

    public CrlPublisherProcess start() {
        launch();
        return this;
    }

    public CrlPublisherProcess awaitReady(Duration timeout) {
        awaitReadiness(timeout);
        return this;
    }
}
