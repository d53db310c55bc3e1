package jp.inkan.crl.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.crl.config.CrlConfig;
import jp.inkan.crl.store.EventStore;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Consumes the certificate events into the store. The offsets that count are the ones stored in
 * PostgreSQL in the transaction that applied the events: on every assignment the consumer seeks to
 * them, so a crash between the database commit and anything else neither loses nor re-applies
 * events (re-application would be harmless anyway: revisions). The group commit afterwards only
 * feeds lag monitoring.
 */
@ApplicationScoped
public class EventConsumer {

    private static final Logger LOG = Logger.getLogger(EventConsumer.class);

    private final CrlConfig config;
    private final EventStore store;
    private final ObjectMapper json;
    private final Clock clock;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private volatile String groupId;
    /** Records between the stored position and the topic's end over this replica's partitions; -1 before a check. */
    private volatile long lag = -1;
    private volatile Instant lastBrokerContact;
    private volatile int assigned;
    private Instant lastLagCheck = Instant.EPOCH;
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    public EventConsumer(CrlConfig config, EventStore store, ObjectMapper json, Clock clock) {
        this.clock = clock;
        this.config = config;
        this.store = store;
        this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    void start(@Observes StartupEvent event) {
        if (!config.events().enabled()) {
            return;
        }
        groupId = config.events().groupId();
        launch();
    }

    private void launch() {
        running = true;
        thread = new Thread(this::run, "crl-event-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Test seam: stops the consumer and starts it again in {@code newGroupId}, a group that has no
     * committed offsets in Kafka, to show that consumption resumes from the offsets in PostgreSQL.
     */
    public synchronized void restartInGroup(String newGroupId) {
        stop(null);
        groupId = newGroupId;
        launch();
    }

    /** Records received from Kafka since start (applied or not). */
    public long received() {
        return received.get();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Events applied since start (changed the store or not). */
    public long applied() {
        return applied.get();
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(properties(), new StringDeserializer(),
                    new StringDeserializer())) {
                consumer = c;
                c.subscribe(List.of(config.events().topic()), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        seekToStored(c, partitions);
                    }
                });
                while (running) {
                    ConsumerRecords<String, String> records = c.poll(Duration.ofMillis(500));
                    if (!Duration.between(lastLagCheck, clock.instant()).minus(config.events().lagInterval()).isNegative()) {
                        checkLag(c);
                    }
                    if (records.isEmpty()) {
                        continue;
                    }
                    received.addAndGet(records.count());
                    List<CertificateEvent> events = new ArrayList<>(records.count());
                    Map<TopicPartition, Long> next = new HashMap<>();
                    for (ConsumerRecord<String, String> record : records) {
                        if (record.value() != null) {
                            events.add(json.readValue(record.value(), CertificateEvent.class));
                        }
                        next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                    }
                    try {
                        store.apply(events, next.entrySet().stream().map(e -> new EventStore.Offset(
                                e.getKey().topic(), e.getKey().partition(), e.getValue())).toList());
                    } catch (Exception e) {
                        LOG.errorf(e, "Applying %d events failed; rewinding to the stored offsets", events.size());
                        seekToStored(c, c.assignment());
                        sleep(1000);
                        continue;
                    }
                    applied.addAndGet(events.size());
                    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                    next.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
                    c.commitAsync(commit, null);
                }
            } catch (WakeupException e) {
                // shutting down
            } catch (Exception e) {
                if (running) {
                    LOG.errorf(e, "Event consumer failed; restarting it in 2 s");
                    sleep(2000);
                }
            }
        }
    }

    /**
     * Asks the broker for the end offsets of every partition of the topic (a replica may legitimately
     * have none assigned): the lag of the assigned ones, and proof that the broker answers.
     */
    private void checkLag(KafkaConsumer<String, String> c) {
        lastLagCheck = clock.instant();
        try {
            List<TopicPartition> all = c.partitionsFor(config.events().topic(), Duration.ofSeconds(2)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (all.isEmpty()) {
                return; // no topic yet: nothing was asked of the broker
            }
            Map<TopicPartition, Long> end = c.endOffsets(all, Duration.ofSeconds(2));
            long behind = 0;
            java.util.Set<TopicPartition> assignment = c.assignment();
            for (TopicPartition tp : assignment) {
                behind += Math.max(0, end.getOrDefault(tp, 0L) - c.position(tp, Duration.ofSeconds(2)));
            }
            lag = behind;
            assigned = assignment.size();
            lastBrokerContact = clock.instant();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            LOG.debugf("End offsets not answered (%s)", e.getMessage());
        }
    }

    /** Records behind the topic's end on this replica's partitions, as of the last check; -1 before it. */
    public long lag() {
        return lag;
    }

    /** Partitions assigned to this replica at the last check. */
    public int assigned() {
        return assigned;
    }

    /** Whether consumption is switched on at all ({@code inkan.crl.events.enabled}). */
    public boolean enabled() {
        return config.events().enabled();
    }

    /** Whether the broker answered within {@code inkan.crl.events.broker-stale-after}. */
    public boolean brokerReachable() {
        Instant contact = lastBrokerContact;
        return running && contact != null
                && Duration.between(contact, clock.instant()).compareTo(config.events().brokerStaleAfter()) <= 0;
    }

    private void seekToStored(KafkaConsumer<String, String> c, Collection<TopicPartition> partitions) {
        Map<Integer, Long> stored = store.offsets(config.events().topic());
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long offset = stored.get(tp.partition());
            if (offset == null) {
                fromStart.add(tp);
            } else {
                c.seek(tp, offset);
            }
        }
        if (!fromStart.isEmpty()) {
            c.seekToBeginning(fromStart);
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.events().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "crl-publisher");
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
        return p;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
