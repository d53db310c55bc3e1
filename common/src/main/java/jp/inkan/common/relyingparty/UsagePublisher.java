package jp.inkan.common.relyingparty;

import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Publishes this process's {@link Usage} to the usage topic ({@link UsageTopic}) every interval, on
 * demand and at shutdown: each day whose counts changed since they were last acknowledged. A
 * graceful stop loses nothing; a crash loses at most one interval's counts. A broker outage only
 * delays publication (the counts stay in memory and go out once it answers).
 */
public final class UsagePublisher {

    private static final Logger LOG = Logger.getLogger(UsagePublisher.class);

    private final String bootstrap;
    private final String topic;
    private final String service;
    private final String replica;
    private final Usage usage;
    private final Duration interval;
    private final Map<LocalDate, Map<String, Usage.Counts>> published = new HashMap<>();
    private ScheduledExecutorService scheduler;
    private KafkaProducer<String, String> producer;
    private boolean topicEnsured;

    public UsagePublisher(String bootstrap, String topic, String service, Usage usage, Duration interval) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.service = service;
        this.usage = usage;
        this.interval = interval;
        // A process run of its own: a restart never overwrites what the previous run published.
        String host = System.getenv().getOrDefault("HOSTNAME", "local");
        this.replica = host + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    public String replica() {
        return replica;
    }

    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "relying-party-usage");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                publish();
            } catch (RuntimeException e) {
                LOG.warnf("Relying-party usage not published to %s: %s; retrying in %s", topic, e.toString(), interval);
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Publishes every day whose counts changed and waits for the broker's acknowledgement. */
    public synchronized void publish() {
        Map<LocalDate, Map<String, Usage.Counts>> changed = new HashMap<>();
        for (LocalDate day : usage.days()) {
            Map<String, Usage.Counts> counts = usage.day(day);
            if (!counts.isEmpty() && !counts.equals(published.get(day))) {
                changed.put(day, counts);
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        if (!topicEnsured) {
            UsageTopic.ensure(bootstrap, topic);
            topicEnsured = true;
        }
        if (producer == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        }
        List<Map.Entry<LocalDate, Future<RecordMetadata>>> sent = changed.entrySet().stream().map(e -> {
            UsageTopic.Entry entry = new UsageTopic.Entry(UsageTopic.SCHEMA, service, replica, e.getKey().toString(), e.getValue());
            return Map.entry(e.getKey(), producer.send(new ProducerRecord<>(topic, entry.key(), UsageTopic.json(entry))));
        }).toList();
        for (Map.Entry<LocalDate, Future<RecordMetadata>> e : sent) {
            try {
                e.getValue().get(20, TimeUnit.SECONDS);
                published.put(e.getKey(), changed.get(e.getKey()));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(interrupted);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException failed) {
                throw new IllegalStateException("usage of " + e.getKey() + " not acknowledged", failed);
            }
        }
    }

    /** Stops the schedule and publishes what is left (the shutdown path). */
    public void stop() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
        }
        if (s != null) {
            s.shutdownNow();
        }
        try {
            publish();
        } catch (RuntimeException e) {
            LOG.errorf("Relying-party usage not published at shutdown (counts since the last publication are lost): %s",
                    e.toString());
        } finally {
            synchronized (this) {
                if (producer != null) {
                    producer.close(Duration.ofSeconds(5));
                    producer = null;
                }
            }
        }
    }
}
