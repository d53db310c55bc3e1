package jp.inkan.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one JVM) run as its own process
 * from the jars {@code deploy/local/infra.sh up} fetched into {@code .inkan-local/kafka/lib}, on free
 * loopback ports, for tests that kill and restart a broker. It never touches the dev broker on
 * 127.0.0.1:59092. Data lives under {@code .inkan-local/test-kafka/<name>} (wiped by {@link #start}),
 * its log in {@code .inkan-local/logs/test-kafka-<name>.log}.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    /** System property: {@code true} runs brokers with the full JIT (the bench profile sets it). */
    public static final String FULL_JIT = "inkan.test.kafka.fullJit";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Path log;
    private final int port;
    private final List<String> command;
    /** Set for {@link #shared} brokers: the system-property prefix holding port, command and pid. */
    private final String registry;
    private ProcessHandle process;

    private KafkaBroker(String name, Path log, int port, List<String> command, String registry) {
        this.name = name;
        this.log = log;
        this.port = port;
        this.command = command;
        this.registry = registry;
        Runtime.getRuntime().addShutdownHook(new Thread(this::killQuietly, "kafka-broker-" + name + "-reaper"));
    }

    /**
     * The JVM's one broker of this name, started on first use. Its state lives in system
     * properties, so a Quarkus test resource and the tests (whatever class loaders loaded them)
     * drive the very same process: a test can kill and restart the broker its service uses.
     */
    public static synchronized KafkaBroker shared(String name) {
        String registry = "inkan.test.kafka." + name + ".";
        String port = System.getProperty(registry + "port");
        if (port == null) {
            KafkaBroker started = start(name, registry);
            System.setProperty(registry + "command", String.join("\u0000", started.command));
            System.setProperty(registry + "port", Integer.toString(started.port));
            return started;
        }
        KafkaBroker attached = new KafkaBroker(name, LocalEnv.localDir().resolve("logs/test-kafka-" + name + ".log"),
                Integer.parseInt(port), List.of(System.getProperty(registry + "command").split("\u0000")), registry);
        attached.process = ProcessHandle.of(Long.parseLong(System.getProperty(registry + "pid"))).orElse(null);
        return attached;
    }

    /** Starts a broker with fresh storage under {@code .inkan-local/test-kafka/<name>} and waits until it answers. */
    public static KafkaBroker start(String name) {
        return start(name, null);
    }

    private static KafkaBroker start(String name, String registry) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("broker name must match " + NAME + ": " + name);
        }
        LocalEnv.env(); // infra.sh up: fetches the broker's jars
        Path lib = LocalEnv.localDir().resolve("kafka/lib");
        if (!Files.exists(lib.resolve(".pom-sha256"))) {
            throw new IllegalStateException("no Kafka jars in " + lib + " (deploy/local/infra.sh up fetches them)");
        }
        Path dir = LocalEnv.localDir().resolve("test-kafka").resolve(name);
        Path data = dir.resolve("data");
        Path config = dir.resolve("server.properties");
        Path log = LocalEnv.localDir().resolve("logs/test-kafka-" + name + ".log");
        int port = freePort();
        int controllerPort = freePort();
        while (controllerPort == port) {
            controllerPort = freePort();
        }
        try {
            TempDirs.deleteRecursively(dir);
            Files.createDirectories(data);
            Files.createDirectories(log.getParent());
            Files.writeString(config, serverProperties(data, port, controllerPort));
            Files.writeString(log, "==== " + Instant.now() + " KafkaBroker " + name + " on 127.0.0.1:" + port + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = lib.resolve("*").toString();
        format(java, classpath, config, log);
        List<String> command = new ArrayList<>(List.of(java, "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC"));
        // C1 only starts fast, which is what tests want; benchmarks share the machine with the broker
        // for minutes and want it as cheap per record as a production broker (full JIT).
        if (!Boolean.getBoolean(FULL_JIT)) {
            command.add("-XX:TieredStopAtLevel=1");
        }
        command.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + LocalEnv.repoDir().resolve("deploy/local/kafka/log4j2.properties"),
                "-cp", classpath, "kafka.Kafka", config.toString()));
        KafkaBroker broker = new KafkaBroker(name, log, port, command, registry);
        broker.launch();
        return broker;
    }

    /** {@code 127.0.0.1:<port>}, stable across {@link #restart()}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The broker's own log (stdout and stderr, appended across restarts). */
    public Path logFile() {
        return log;
    }

    /** SIGKILL, as a crash or OOM kill would: no controlled shutdown, nothing flushed. Waits for the exit. */
    public synchronized void kill() {
        refresh();
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            awaitExit(STOP_TIMEOUT);
        }
    }

    /** SIGTERM (controlled shutdown); SIGKILL if it has not exited within 60 s. */
    public synchronized void stop() {
        refresh();
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!awaitExit(STOP_TIMEOUT)) {
                process.destroyForcibly();
                awaitExit(STOP_TIMEOUT);
            }
        }
    }

    /** Starts the broker again on the same ports and data (stopping it first if it runs) and waits until it answers. */
    public synchronized void restart() {
        stop();
        appendToLog("==== " + Instant.now() + " KafkaBroker " + name + " restart\n");
        launch();
    }

    /** Same as {@link #stop()}; the data stays until the next {@link #start} with this name. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Creates a topic with one replica, {@code partitions} partitions and the given topic
     * configuration, and waits until every partition has a leader. Does nothing if it exists.
     */
    public void createTopic(String topic, int partitions, Map<String, String> topicConfig) {
        try (Admin admin = admin()) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(topicConfig)))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + topic + " on " + bootstrapServers(), e.getCause());
                }
            }
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(10, TimeUnit.SECONDS).get(topic);
                    if (allPartitionsLed(List.of(description))) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("topic " + topic + " not described within " + READY_TIMEOUT, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has partitions without a leader after " + READY_TIMEOUT);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot create topic " + topic + " on " + bootstrapServers(), e);
        }
    }

    private Admin admin() {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafka-broker-" + name + "-admin");
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        properties.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
        return Admin.create(properties);
    }

    private void launch() {
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start().toHandle();
            if (registry != null) {
                System.setProperty(registry + "pid", Long.toString(process.pid()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker " + name, e);
        }
        awaitReady();
    }

    // Ready = a real metadata round trip (list topics) over the broker listener, and every partition
    // of every topic has a leader again (after a SIGKILL that takes the old incarnation's session
    // timeout, then an election).
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka broker " + name + " exited; see " + log);
                }
                try {
                    Set<String> topics = admin.listTopics(new ListTopicsOptions().timeoutMs(3000)).names()
                            .get(5, TimeUnit.SECONDS);
                    if (topics.isEmpty() || allPartitionsLed(admin.describeTopics(topics).allTopicNames()
                            .get(5, TimeUnit.SECONDS).values())) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not answering yet
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("Kafka broker " + name + " not ready within " + READY_TIMEOUT + "; see " + log);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean allPartitionsLed(Collection<TopicDescription> topics) {
        return topics.stream().flatMap(topic -> topic.partitions().stream())
                .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
    }

    private boolean awaitExit(Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A shared broker may have been restarted through another handle: follow its current process. */
    private void refresh() {
        if (registry != null && System.getProperty(registry + "pid") != null) {
            process = ProcessHandle.of(Long.parseLong(System.getProperty(registry + "pid"))).orElse(null);
        }
    }

    private void killQuietly() {
        ProcessHandle p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
        }
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void format(String java, String classpath, Path config, Path log) {
        try {
            Process format = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath, "kafka.tools.StorageTool",
                    "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!format.waitFor(60, TimeUnit.SECONDS)) {
                format.destroyForcibly();
                throw new IllegalStateException("kafka-storage format timed out; see " + log);
            }
            if (format.exitValue() != 0) {
                throw new IllegalStateException("kafka-storage format failed; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String serverProperties(Path data, int port, int controllerPort) {
        return String.join("\n",
                "# Written by jp.inkan.testing.KafkaBroker (tests only).",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + data,
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "auto.create.topics.enable=false",
                "num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                // After a SIGKILL the restarted broker can only register once the old incarnation's
                // session has expired (default 9 s); keep that short for tests.
                "broker.session.timeout.ms=4000",
                "broker.heartbeat.interval.ms=500",
                // A small machine runs several of these next to the services under test.
                "num.network.threads=2",
                "num.io.threads=2",
                "background.threads=2",
                "log.cleaner.threads=1",
                "log.cleaner.dedupe.buffer.size=16777216",
                "");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
