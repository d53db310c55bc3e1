package jp.inkan.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real ca-service, run from its built jar as a separate process on the test database and
 * token, as in production. State lives in system properties so a test (whatever class loader it
 * runs in) can stop and restart the very process the test resource started.
 */
public final class CaServiceProcess {

    private static final String PID = "inkan.test.ca.pid";
    private static final String PORT = "inkan.test.ca.port";
    private static final String MANAGEMENT_PORT = "inkan.test.ca.management-port";
    private static final String CLEANED = "inkan.test.ca.cleaned";

    private CaServiceProcess() {
    }

    public static int port() {
        return Integer.getInteger(PORT);
    }

    public static synchronized void start() {
        start(Map.of());
    }

    /**
     * Starts ca-service unless it runs already. {@code extraEnv} adds to (or overrides) the
     * environment, e.g. {@code INKAN_KAFKA_BOOTSTRAP} for a test's own broker.
     */
    public static synchronized void start(Map<String, String> extraEnv) {
        if (System.getProperty(PID) != null) {
            return;
        }
        if (System.getProperty(PORT) == null) {
            System.setProperty(PORT, Integer.toString(freePort()));
            System.setProperty(MANAGEMENT_PORT, Integer.toString(freePort()));
        }
        Path jar = LocalEnv.repoDir().resolve("ca-service/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build ca-service first (./mvnw verify builds it before this module)");
        }
        Map<String, String> env = LocalEnv.env();
        Path log = LocalEnv.localDir().resolve("logs/ca-service-for-tests.log");
        try {
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(LocalEnv.jvmOptions("ca-service"));
            command.addAll(List.of("-Dquarkus.http.ssl-port=" + port(),
                    "-Dquarkus.management.port=" + Integer.getInteger(MANAGEMENT_PORT), "-jar", jar.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> processEnv = builder.environment();
            processEnv.put("INKAN_CA_DB_URL", env.get("INKAN_CA_DB_TEST_URL"));
            processEnv.put("INKAN_CA_DB_USER", env.get("INKAN_CA_DB_USER"));
            processEnv.put("INKAN_CA_DB_PASSWORD", env.get("INKAN_CA_DB_PASSWORD"));
            processEnv.put("INKAN_HSM_LIBRARY", env.get("INKAN_HSM_LIBRARY"));
            processEnv.put("INKAN_HSM_SLOT", env.get("INKAN_HSM_TEST_SLOT"));
            processEnv.put("INKAN_HSM_PIN", env.get("INKAN_HSM_PIN"));
            processEnv.put("SOFTHSM2_CONF", env.get("SOFTHSM2_CONF"));
            processEnv.put("INKAN_PKI_DIR", env.get("INKAN_PKI_DIR"));
            processEnv.put("INKAN_CA_BOOTSTRAP", "true");
            // Tests rotate with a switch seconds ahead and shorten the services' CA-list refresh to match.
            processEnv.put("INKAN_CA_MIN_SWITCH_LEAD", "PT1S");
            if (System.getProperty(CLEANED) == null) {
                // A fresh inventory per test JVM: the test database may hold roots whose keys live in
                // another checkout's token. Restarts within the JVM keep what the tests issued.
                processEnv.put("QUARKUS_FLYWAY_CLEAN_DISABLED", "false");
                processEnv.put("QUARKUS_FLYWAY_CLEAN_AT_START", "true");
                System.setProperty(CLEANED, "true");
            }
            processEnv.putAll(extraEnv);
            // Its events go to a broker of the tests' own unless the caller brings one: never the dev broker.
            processEnv.computeIfAbsent("INKAN_KAFKA_BOOTSTRAP",
                    k -> KafkaBroker.shared("ca-service-process").bootstrapServers());
            Process process = builder.start();
            System.setProperty(PID, Long.toString(process.pid()));
            awaitReady(process, log);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static synchronized void stop() {
        String pid = System.getProperty(PID);
        if (pid == null) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
            p.destroy();
            p.onExit().join();
        });
        System.clearProperty(PID);
    }

    /** SIGKILL, as a crash or an OOM kill would end it: no graceful shutdown. Waits for the exit. */
    public static synchronized void kill() {
        String pid = System.getProperty(PID);
        if (pid == null) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().join();
        });
        System.clearProperty(PID);
    }

    private static void awaitReady(Process process, Path log) {
        HttpClient client = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + Integer.getInteger(MANAGEMENT_PORT) + "/q/health/ready");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ca-service exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("ca-service not ready within 90 s; see " + log);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
