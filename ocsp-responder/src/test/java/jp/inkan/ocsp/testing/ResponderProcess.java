package jp.inkan.ocsp.testing;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.LocalEnv;

/**
 * The real ocsp-responder, run from its packaged jar as its own JVM (as in production), on the
 * {@code inkan-ocsp-test} token, so a test can SIGKILL and restart it.
 */
public final class ResponderProcess {

    private final String name;
    private final Path stateDir;
    private final Path log;
    private final int port = freePort();
    private final int managementPort = freePort();
    private final int httpsPort = freePort();
    private final Map<String, String> env = new HashMap<>();
    private final List<String> properties = new ArrayList<>();
    private Process process;

    /** A responder with an empty state directory, talking to {@code bootstrap} and the running ca-service. */
    public ResponderProcess(String name, String bootstrap, Map<String, String> extraProperties) {
        this.name = name;
        this.stateDir = LocalEnv.localDir().resolve("ocsp-test-state").resolve(name);
        this.log = LocalEnv.localDir().resolve("logs/ocsp-responder-" + name + ".log");
        Map<String, String> e = LocalEnv.env();
        env.put("INKAN_KAFKA_BOOTSTRAP", bootstrap);
        env.put("INKAN_CA_URL", "https://localhost:" + CaServiceProcess.port());
        env.put("INKAN_PKI_DIR", e.get("INKAN_PKI_DIR"));
        env.put("INKAN_HSM_LIBRARY", e.get("INKAN_HSM_LIBRARY"));
        env.put("INKAN_OCSP_HSM_SLOT", e.get("INKAN_OCSP_HSM_TEST_SLOT"));
        env.put("INKAN_HSM_PIN", e.get("INKAN_HSM_PIN"));
        env.put("SOFTHSM2_CONF", e.get("SOFTHSM2_CONF"));
        env.put("INKAN_OCSP_STATE_DIR", stateDir.toString());
        properties.add("-Dquarkus.http.port=" + port);
        properties.add("-Dquarkus.management.port=" + managementPort);
        properties.add("-Dquarkus.http.ssl-port=" + httpsPort);
        extraProperties.forEach((k, v) -> properties.add("-D" + k + "=" + v));
        try {
            deleteRecursively(stateDir);
            Files.createDirectories(log.getParent());
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/ocsp";
    }

    /** The relying parties' HTTPS listener. */
    public String httpsUrl() {
        return "https://localhost:" + httpsPort + "/ocsp";
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path logFile() {
        return log;
    }

    public synchronized ResponderProcess start() {
        Path jar = LocalEnv.repoDir().resolve("ocsp-responder/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package ocsp-responder first (failsafe runs after package)");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx256m");
        command.addAll(properties);
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.writeString(log, "==== start " + java.time.Instant.now() + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        }));
        return this;
    }

    /** Waits until /q/health/ready answers 200. */
    public ResponderProcess awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ocsp-responder exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(ready).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = response.body();
                if (response.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new IllegalStateException("ocsp-responder not ready within " + timeout + " (" + last + "); see " + log);
    }

    /** SIGKILL: no shutdown hook, no final snapshot. */
    public synchronized void kill() {
        process.destroyForcibly();
        process.onExit().join();
    }

    /** SIGTERM: a graceful stop (final snapshot). */
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.onExit().join();
        }
    }

    public String health() {
        return RestAssured.get("http://127.0.0.1:" + managementPort + "/q/health/ready").asString();
    }

    public JsonPath stats() {
        return RestAssured.get("http://127.0.0.1:" + managementPort + "/admin/store").then().statusCode(200)
                .extract().jsonPath();
    }

    public JsonPath entry(String issuerKeyId, String serial) {
        return RestAssured.get("http://127.0.0.1:" + managementPort + "/admin/store/" + issuerKeyId + "/" + serial)
                .then().statusCode(200).extract().jsonPath();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
