package jp.inkan.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The local infrastructure of deploy/local/infra.sh (PostgreSQL, SoftHSM2, dev PKI), brought up
 * once per test JVM (idempotent, quick when already up), and the variables it wrote.
 */
public final class LocalEnv {

    private static Map<String, String> env;

    private LocalEnv() {
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

    /**
     * A service's JVM options as production starts it (run.sh, the image): the java argument file
     * {@code deploy/jvm/<module>.options}, or nothing for a module without one.
     */
    public static List<String> jvmOptions(String module) {
        Path options = repoDir().resolve("deploy/jvm/" + module + ".options");
        return Files.exists(options) ? List.of("@" + options) : List.of();
    }

    public static Path repoDir() {
        String configured = System.getProperty("inkan.repo.dir");
        return configured != null ? Path.of(configured) : Path.of("..").toAbsolutePath().normalize();
    }

    private static void runInfraUp() {
        try {
            // Its output goes to a file: the forked test JVM's stdout is surefire's channel.
            Path log = localDir().resolve("logs/infra-from-tests.log");
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder("bash", repoDir().resolve("deploy/local/infra.sh").toString(), "up")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            // Tests start their own brokers (KafkaBroker); the dev broker is for deploy/local/run.sh.
            builder.environment().put("INKAN_DEV_BROKER", "0");
            builder.environment().put("INKAN_LOCAL_DIR", localDir().toString());
            Process process = builder.start();
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

    /** The dev PKI deploy/local/pki.sh made: service and municipality certificates, keys and PKCS#12 files. */
    public static Path pkiDir() {
        return Path.of(env().get("INKAN_PKI_DIR"));
    }
}
