package jp.inkan.ca.testing;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Brings up the real PostgreSQL and SoftHSM2 with deploy/local/infra.sh (idempotent, quick when
 * already up) and points the service at the test database and the test token.
 */
@QuarkusTestResource(LocalInfrastructure.class)
public class LocalInfrastructure implements QuarkusTestResourceLifecycleManager {

    private static Map<String, String> env;

    @Override
    public Map<String, String> start() {
        Map<String, String> e = env();
        Path pinFile = localDir().resolve("test-hsm-pin");
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
        return config;
    }

    @Override
    public void stop() {
    }

    /** The variables infra.sh wrote, after making sure it ran. */
    public static synchronized Map<String, String> env() {
        if (env == null) {
            runInfraUp();
            env = readEnvFile(localDir().resolve("env"));
        }
        return env;
    }

    public static Path localDir() {
        return Path.of(System.getProperty("inkan.local.dir",
                repoDir().resolve(".inkan-local").toString()));
    }

    public static Path repoDir() {
        String configured = System.getProperty("inkan.repo.dir");
        return configured != null ? Path.of(configured) : Path.of("..").toAbsolutePath().normalize();
    }

    private static void runInfraUp() {
        try {
            // Its output goes to a file: the forked test JVM's stdout is surefire's channel.
            java.nio.file.Path log = localDir().resolve("logs/infra-from-tests.log");
            java.nio.file.Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder("bash", repoDir().resolve("deploy/local/infra.sh").toString(), "up")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("deploy/local/infra.sh up failed; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> readEnvFile(Path file) {
        Map<String, String> values = new HashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                line = line.strip();
                if (line.startsWith("export ")) {
                    line = line.substring("export ".length());
                }
                int eq = line.indexOf('=');
                if (line.startsWith("#") || eq <= 0) {
                    continue;
                }
                String value = line.substring(eq + 1);
                if (value.length() >= 2 && (value.startsWith("'") || value.startsWith("\""))) {
                    value = value.substring(1, value.length() - 1);
                }
                values.put(line.substring(0, eq), value);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file, e);
        }
        return values;
    }
}
