package jp.inkan.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of our services run from its packaged jar ({@code <module>/target/quarkus-app}) as its own JVM,
 * as in production, on free ports (HTTP, management, HTTPS), logging to
 * {@code .inkan-local/logs/<module>-<name>.log}, so a test can SIGKILL and restart it.
 */
public class ServiceProcess {

    private final String module;
    private final String name;
    private final Path log;
    private final int port = freePort();
    private final int managementPort = freePort();
    private final int httpsPort = freePort();
    /** Environment and system properties of the process; subclasses fill them in their constructor. */
    protected final Map<String, String> env = new HashMap<>();
    protected final List<String> properties = new ArrayList<>();
    private Process process;

    protected ServiceProcess(String module, String name, Map<String, String> extraProperties) {
        this.module = module;
        this.name = name;
        this.log = LocalEnv.localDir().resolve("logs/" + module + "-" + name + ".log");
        properties.add("-Dquarkus.http.port=" + port);
        properties.add("-Dquarkus.management.port=" + managementPort);
        properties.add("-Dquarkus.http.ssl-port=" + httpsPort);
        extraProperties.forEach((k, v) -> properties.add("-D" + k + "=" + v));
        try {
            Files.createDirectories(log.getParent());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The broker, the running ca-service and the local PKI: what every service started here talks to. */
    protected void connectTo(String bootstrap) {
        env.put("INKAN_KAFKA_BOOTSTRAP", bootstrap);
        env.put("INKAN_CA_URL", "https://localhost:" + CaServiceProcess.port());
        env.put("INKAN_PKI_DIR", LocalEnv.env().get("INKAN_PKI_DIR"));
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    public int httpsPort() {
        return httpsPort;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path logFile() {
        return log;
    }

    protected synchronized void launch() {
        Path jar = LocalEnv.repoDir().resolve(module + "/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + module + " first (failsafe runs after package)");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // The tests run the service with production's JVM options; a module without any, a heap cap.
        List<String> options = LocalEnv.jvmOptions(module);
        command.addAll(options.isEmpty() ? List.of("-Xmx256m") : options);
        command.addAll(properties);
        command.add("-jar");
        command.add(jar.toString());
        try {
            Files.writeString(log, "==== start " + Instant.now() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
    }

    /** Waits until /q/health/ready answers 200. */
    protected void awaitReadiness(Duration timeout) {
        HttpClient client = HttpClient.newHttpClient();
        URI ready = URI.create(managementUrl() + "/q/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(ready).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = response.body();
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new IllegalStateException(module + " not ready within " + timeout + " (" + last + "); see " + log);
    }

    /** SIGKILL: no shutdown hook. */
    public synchronized void kill() {
        process.destroyForcibly();
        process.onExit().join();
    }

    /** SIGTERM: a graceful stop. */
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.onExit().join();
        }
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
