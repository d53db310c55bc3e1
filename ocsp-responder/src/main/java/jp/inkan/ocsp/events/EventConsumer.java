package jp.inkan.ocsp.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.ocsp.store.Snapshot;
import jp.inkan.ocsp.store.StatusStore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Builds the status store from the certificate-event topic on a thread of its own. Every replica
 * reads every partition ({@code assign()}, no consumer group, no committed offsets): where it
 * starts comes from its own snapshot, which records, per partition, the next offset it covers.
 * Within a partition records arrive in order, and all events of one certificate share a partition
 * (the key), so per-certificate order holds; duplicates are dropped by revision in the store.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final StatusStore store;
    private final EventsConfig events;
    private final OcspConfig config;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final AtomicLong consumed = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    /** Set if the consumer thread ended on an error: the store no longer follows the topic. */
    private volatile boolean stopped;
    private volatile Map<Integer, Long> startOffsets = Map.of();
    private volatile Map<Integer, Long> endOffsetsAtStart;
    private volatile Map<Integer, Long> positions = Map.of();
    private volatile boolean caughtUp;
    private volatile boolean running;
    private volatile long snapshotEntriesLoaded = -1;
    private volatile Instant lastSnapshot;
    /** Records between the store's position and the topic's end, as of the last lag check; -1 before it. */
    private volatile long lag = -1;
    /** When the broker last answered an end-offsets request (null: never). */
    private volatile Instant lastBrokerContact;
    private Instant lastLagCheck = Instant.EPOCH;
    private Thread thread;
    private KafkaConsumer<String, String> consumer;

    public EventConsumer(StatusStore store, EventsConfig events, OcspConfig config, Clock clock) {
        this.store = store;
        this.events = events;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent startup) {
        store.trackApplies(config.store().trackApplies());
        try {
            Snapshot.read(config.store().stateDir(), events.topic().name(), store).ifPresent(loaded -> {
                startOffsets = Map.copyOf(loaded.offsets());
                snapshotEntriesLoaded = loaded.entries();
                LOG.infof("Loaded snapshot: %d certificates, offsets %s", loaded.entries(), new TreeMap<>(loaded.offsets()));
            });
        } catch (IOException e) {
            LOG.warnf("Cannot read the snapshot (%s); rebuilding from the topic", e.getMessage());
        }
        consumer = new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), new StringDeserializer());
        running = true;
        thread = new Thread(this::run, "ocsp-events");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether the store has reached the end offsets the topic had when this process started (and the
     * consumer still runs).
     */
    public boolean caughtUp() {
        return caughtUp && !stopped;
    }

    /** Polls that failed and were retried. */
    public long failures() {
        return failures.get();
    }

    public long consumed() {
        return consumed.get();
    }

    public long malformed() {
        return malformed.get();
    }

    public Map<Integer, Long> startOffsets() {
        return startOffsets;
    }

    public Map<Integer, Long> positions() {
        return positions;
    }

    public Map<Integer, Long> endOffsetsAtStart() {
        return endOffsetsAtStart == null ? Map.of() : endOffsetsAtStart;
    }

    /** Certificates the snapshot held at start, -1 if there was none. */
    public long snapshotEntriesLoaded() {
        return snapshotEntriesLoaded;
    }

    public Instant lastSnapshot() {
        return lastSnapshot;
    }

    private void run() {
        Map<TopicPartition, Long> position = new HashMap<>();
        try {
            List<TopicPartition> partitions = awaitPartitions();
            consumer.assign(partitions);
            for (TopicPartition partition : partitions) {
                Long from = startOffsets.get(partition.partition());
                if (from != null) {
                    consumer.seek(partition, from);
                } else {
                    consumer.seekToBeginning(List.of(partition));
                }
            }
            endOffsetsAtStart = endOffsets(partitions);
            lastBrokerContact = clock.instant();
            LOG.infof("Consuming %s from %s; end offsets at start %s", events.topic().name(),
                    new TreeMap<>(startOffsets), new TreeMap<>(endOffsetsAtStart));
            lastSnapshot = clock.instant();
            while (running) {
                ConsumerRecords<String, String> records;
                try {
                    records = consumer.poll(config.store().pollTimeout());
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // The broker or a record made poll fail: keep the thread (and the store) alive and retry.
                    failures.incrementAndGet();
                    LOG.warnf("Polling %s failed (%s); retrying", events.topic().name(), e.toString());
                    sleep(1000);
                    continue;
                }
                for (ConsumerRecord<String, String> record : records) {
                    apply(record);
                }
                for (TopicPartition partition : partitions) {
                    position.put(partition, consumer.position(partition));
                }
                positions = toMap(position);
                if (!Duration.between(lastLagCheck, clock.instant()).minus(config.store().lagInterval()).isNegative()) {
                    checkLag(partitions, position);
                }
                if (!caughtUp && endOffsetsAtStart.entrySet().stream()
                        .allMatch(end -> positions.getOrDefault(end.getKey(), 0L) >= end.getValue())) {
                    caughtUp = true;
                    LOG.infof("Caught up: %d certificates, %d events consumed since start", store.size(), consumed.get());
                }
                if (!Duration.between(lastSnapshot, clock.instant()).minus(config.store().snapshotInterval()).isNegative()) {
                    snapshot(positions);
                }
            }
        } catch (WakeupException e) {
            // shutdown
        } catch (RuntimeException e) {
            LOG.errorf(e, "Event consumer stopped");
            stopped = true;
        } finally {
            if (!positions.isEmpty()) {
                snapshot(positions);
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks the broker for the end offsets: the lag, and proof the broker still answers. */
    private void checkLag(List<TopicPartition> partitions, Map<TopicPartition, Long> position) {
        lastLagCheck = clock.instant();
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(2));
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                behind += Math.max(0, e.getValue() - position.getOrDefault(e.getKey(), 0L));
            }
            lag = behind;
            lastBrokerContact = clock.instant();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debugf("End offsets not answered (%s)", e.getMessage());
        }
    }

    /** Whether the consumer thread ended on an error (the store no longer follows the topic). */
    public boolean failed() {
        return stopped;
    }

    /** Records the store is behind the topic's end, as of the last check; -1 before the first. */
    public long lag() {
        return lag;
    }

    /** Whether the broker answered within {@code inkan.ocsp.store.broker-stale-after}. */
    public boolean brokerReachable() {
        Instant contact = lastBrokerContact;
        return contact != null && !stopped
                && Duration.between(contact, clock.instant()).compareTo(config.store().brokerStaleAfter()) <= 0;
    }

    private void apply(ConsumerRecord<String, String> record) {
        consumed.incrementAndGet();
        if (record.value() == null) {
            return; // a tombstone: nothing to apply (ca-service does not send them)
        }
        CertificateEvent event;
        try {
            event = json.readValue(record.value(), CertificateEvent.class);
        } catch (IOException e) {
            malformed.incrementAndGet();
            LOG.errorf("Unreadable event at %s-%d@%d skipped", record.topic(), record.partition(), record.offset());
            return;
        }
        if (store.apply(event) == StatusStore.Outcome.REJECTED) {
            malformed.incrementAndGet();
            LOG.errorf("Event %s (schema %d) at %s-%d@%d refused", event.eventId(), event.schema(), record.topic(),
                    record.partition(), record.offset());
        }
    }

    private void snapshot(Map<Integer, Long> offsets) {
        try {
            Snapshot.write(config.store().stateDir(), events.topic().name(), offsets, store);
            lastSnapshot = clock.instant();
        } catch (IOException e) {
            LOG.warnf("Snapshot failed (%s); the next one retries", e.getMessage());
            lastSnapshot = clock.instant();
        }
    }

    /** The topic's partitions, waiting for the broker and the topic (ca-service creates it). */
    private List<TopicPartition> awaitPartitions() {
        while (running) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(events.topic().name(), Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // broker not reachable yet
            }
            LOG.infof("Waiting for topic %s on %s", events.topic().name(), events.bootstrapServers());
            sleep(1000);
        }
        throw new WakeupException();
    }

    private Map<Integer, Long> endOffsets(List<TopicPartition> partitions) {
        while (running) {
            try {
                return toMap(consumer.endOffsets(partitions, Duration.ofSeconds(5)));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.info("Waiting for the end offsets");
            }
        }
        throw new WakeupException();
    }

    private static Map<Integer, Long> toMap(Map<TopicPartition, Long> offsets) {
        Map<Integer, Long> map = new HashMap<>();
        offsets.forEach((partition, offset) -> map.put(partition.partition(), offset));
        return Map.copyOf(map);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }

    private Properties consumerConfig() {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, events.bootstrapServers());
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "ocsp-responder");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // Out of range (topic recreated, retention passed the snapshot): start over; revisions keep it idempotent.
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        properties.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return properties;
    }
}
