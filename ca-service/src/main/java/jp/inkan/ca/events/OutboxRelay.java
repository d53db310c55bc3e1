package jp.inkan.ca.events;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to Kafka in id order and marks them published only after the broker
 * acknowledged them (idempotent producer, acks=all). A crash between the two re-publishes the
 * rows: consumers see an event at least once and apply it once (by its revision). One relay runs at
 * a time across replicas (a PostgreSQL advisory lock), which keeps each certificate's events in
 * order.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    /** Advisory lock id of the relay ("inkan-outbox"). */
    private static final long RELAY_LOCK = 0x696e6b616e6f7574L;

    private final DataSource dataSource;
    private final Outbox outbox;
    private final EventsConfig config;
    private final Clock clock;
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running;
    private volatile boolean topicReady;
    /** The last round's failure (null after a successful round), for the health check. */
    private volatile String lastFailure;
    private Thread thread;
    private KafkaProducer<String, String> producer;
    private Instant nextCleanup = Instant.EPOCH;

    public OutboxRelay(DataSource dataSource, Outbox outbox, EventsConfig config, Clock clock, MeterRegistry meters) {
        FunctionCounter.builder("inkan.ca.outbox.published", published, AtomicLong::get)
                .description("Certificate events this replica published to Kafka").register(meters);
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent startup) {
        producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new StringSerializer());
        running = true;
        thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Lets the batch in flight finish (its acknowledged rows are marked published) instead of
     * interrupting it: an interrupted batch is rolled back and re-sent by the next relay, harmless
     * but noisy. Only a relay still busy after the grace period is interrupted.
     */
    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        if (thread != null) {
            outbox.committed(); // wakes an idle relay at once
            try {
                thread.join(15_000);
                if (thread.isAlive()) {
                    LOG.warn("Outbox relay still busy at shutdown; interrupting it (the batch will be re-sent)");
                    thread.interrupt();
                    thread.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Events published by this replica since it started. */
    public long published() {
        return published.get();
    }

    /** Whether the relay has reached the broker and the topic exists (for readiness). */
    public boolean topicReady() {
        return topicReady;
    }

    /** Why the relay's last round failed, if it did. */
    public java.util.Optional<String> lastFailure() {
        return java.util.Optional.ofNullable(lastFailure);
    }

    /** Unpublished rows in the outbox. */
    public long backlog() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "select count(*) from outbox_event where published_at is null");
             ResultSet rows = query.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void run() {
        while (running) {
            try {
                if (!topicReady) {
                    ensureTopic();
                    topicReady = true;
                }
                int sent = publishBatch();
                lastFailure = null;
                cleanUp();
                if (sent == 0) {
                    outbox.awaitCommitted(config.relay().idleWait().toMillis());
                } else if (sent < config.relay().batchSize() && !config.relay().batchWindow().isZero()) {
                    Thread.sleep(config.relay().batchWindow().toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                lastFailure = describe(e);
                LOG.warnf("Outbox relay: %s; retrying in %s", lastFailure, config.relay().retryWait());
                try {
                    Thread.sleep(config.relay().retryWait().toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Publishes one batch; returns how many rows it published (0 if none or another replica relays). */
    int publishBatch() throws SQLException, InterruptedException, ExecutionException, TimeoutException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!tryLock(connection)) {
                    connection.rollback();
                    return 0;
                }
                List<Long> ids = new ArrayList<>();
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                try (PreparedStatement select = connection.prepareStatement("""
                        select id, event_key, payload from outbox_event where published_at is null
                        order by id limit ?""")) {
                    select.setInt(1, config.relay().batchSize());
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            ids.add(rows.getLong(1));
                            acks.add(producer.send(new ProducerRecord<>(config.topic().name(), rows.getString(2),
                                    rows.getString(3))));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    connection.rollback();
                    return 0;
                }
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(60, TimeUnit.SECONDS);   // a failed send throws: nothing is marked, all is re-sent
                }
                try (PreparedStatement mark = connection.prepareStatement(
                        "update outbox_event set published_at = ? where id = any(?)")) {
                    mark.setObject(1, clock.instant().atOffset(ZoneOffset.UTC));
                    Array array = connection.createArrayOf("bigint", ids.toArray());
                    mark.setArray(2, array);
                    mark.executeUpdate();
                }
                connection.commit();
                published.addAndGet(ids.size());
                return ids.size();
            } catch (SQLException | InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * Takes the relay's lock for this transaction and lets its commit skip the wait for the WAL
     * flush: losing that commit in a crash only leaves its rows unmarked, and they are published
     * again (consumers apply an event once, by its revision). The certificates' own commits stay
     * synchronous. One statement, so it costs no extra round trip.
     */
    static boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(
                "select pg_try_advisory_xact_lock(?), set_config('synchronous_commit', 'off', true)")) {
            lock.setLong(1, RELAY_LOCK);
            try (ResultSet rows = lock.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    private void cleanUp() throws SQLException {
        Instant now = clock.instant();
        if (now.isBefore(nextCleanup)) {
            return;
        }
        nextCleanup = now.plus(Duration.ofHours(1));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "delete from outbox_event where published_at < ?")) {
            delete.setObject(1, now.minus(config.relay().keepPublished()).atOffset(ZoneOffset.UTC));
            int deleted = delete.executeUpdate();
            if (deleted > 0) {
                LOG.infof("Outbox: deleted %d events published before %s", deleted,
                        now.minus(config.relay().keepPublished()));
            }
        }
    }

    /** Creates the topic with the configured partitions and settings if it is missing. */
    private void ensureTopic() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> adminConfig = new HashMap<>(config.kafka());
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(adminConfig)) {
            NewTopic topic = new NewTopic(config.topic().name(), config.topic().partitions(),
                    config.topic().replicationFactor()).configs(config.topic().config());
            try {
                admin.createTopics(List.of(topic)).all().get(20, TimeUnit.SECONDS);
                LOG.infof("Created topic %s (%d partitions, %s)", topic.name(), topic.numPartitions(), topic.configs());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> producerConfig = new HashMap<>(config.kafka());
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        producerConfig.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "ca-service-outbox-relay");
        return producerConfig;
    }

    private static String describe(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
