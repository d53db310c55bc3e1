package jp.inkan.testing;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The real ocsp-responder, run from its packaged jar as its own JVM (as in production), on the
 * {@code inkan-ocsp-test} token, so a test can SIGKILL and restart it.
 */
public final class ResponderProcess extends ServiceProcess {

    private final Path stateDir;

    /** A responder with an empty state directory, talking to {@code bootstrap} and the running ca-service. */
    public ResponderProcess(String name, String bootstrap, Map<String, String> extraProperties) {
        super("ocsp-responder", name, extraProperties);
        this.stateDir = LocalEnv.localDir().resolve("ocsp-test-state").resolve(name);
        Map<String, String> e = LocalEnv.env();
        connectTo(bootstrap);
        env.put("INKAN_HSM_LIBRARY", e.get("INKAN_HSM_LIBRARY"));
        env.put("INKAN_OCSP_HSM_SLOT", e.get("INKAN_OCSP_HSM_TEST_SLOT"));
        env.put("INKAN_HSM_PIN", e.get("INKAN_HSM_PIN"));
        env.put("SOFTHSM2_CONF", e.get("SOFTHSM2_CONF"));
        env.put("INKAN_OCSP_STATE_DIR", stateDir.toString());
        TempDirs.deleteRecursively(stateDir);
    }

    public String url() {
        return "http://127.0.0.1:" + port() + "/ocsp";
    }

    /** The relying parties' HTTPS listener. */
    public String httpsUrl() {
        return "https://localhost:" + httpsPort() + "/ocsp";
    }

    public Path stateDir() {
        return stateDir;
    }

    public ResponderProcess start() {
        launch();
        return this;
    }

    /** Waits until /q/health/ready answers 200. */
    public ResponderProcess awaitReady(Duration timeout) {
        awaitReadiness(timeout);
        return this;
    }

    public String health() {
        return RestAssured.get(managementUrl() + "/q/health/ready").asString();
    }

    public JsonPath stats() {
        return RestAssured.get(managementUrl() + "/admin/store").then().statusCode(200).extract().jsonPath();
    }

    public JsonPath entry(String issuerKeyId, String serial) {
        return RestAssured.get(managementUrl() + "/admin/store/" + issuerKeyId + "/" + serial)
                .then().statusCode(200).extract().jsonPath();
    }
}
