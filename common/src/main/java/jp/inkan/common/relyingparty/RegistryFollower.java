package jp.inkan.common.relyingparty;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Follows the relying-party topic on a thread of its own: reads it whole from the beginning (it is
 * small and compacted), hands the registry to {@code onChange} after every batch that changed it,
 * and says once when it has reached the end offsets it saw at start. Every replica of every service
 * that gates on relying parties runs one, so an operator's change takes effect everywhere within a
 * poll, without a restart. On a broker failure the last registry stays in force and it retries.
 */
public final class RegistryFollower {

    private static final Logger LOG = Logger.getLogger(RegistryFollower.class);

    private final String bootstrap;
    private final String topic;
    private final String clientId;
    private final Duration pollTimeout;
    private final Consumer<Collection<RelyingParty>> onChange;
    private final Runnable onLoaded;
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    public RegistryFollower(String bootstrap, String topic, String clientId, Duration pollTimeout,
                            Consumer<Collection<RelyingParty>> onChange, Runnable onLoaded) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.clientId = clientId;
        this.pollTimeout = pollTimeout;
        this.onChange = onChange;
        this.onLoaded = onLoaded;
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "relying-parties");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() {
        running = false;
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private void run() {
        Map<String, RelyingParty> parties = new HashMap<>();
        boolean loaded = false;
        while (running) {
            try {
                RegistryTopic.ensure(bootstrap, topic);
                consumer = RegistryTopic.consumer(bootstrap, clientId);
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
                Map<String, RelyingParty> reading = new HashMap<>();
                boolean complete = false;
                while (running) {
                    boolean changed = false;
                    for (ConsumerRecord<String, String> record : consumer.poll(pollTimeout)) {
                        Optional<String> refused = RegistryTopic.apply(record, reading);
                        refused.ifPresent(why -> LOG.errorf("Relying-party record %s at offset %d refused: %s",
                                record.key(), record.offset(), why));
                        changed = true;
                    }
                    if (!complete && partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                        // Re-read after a failure: only now replace what was in force.
                        complete = true;
                        parties = reading;
                        onChange.accept(List.copyOf(parties.values()));
                        if (!loaded) {
                            loaded = true;
                            onLoaded.run();
                            LOG.infof("Relying-party registry loaded from %s: %d parties", topic, parties.size());
                        }
                    } else if (complete && changed) {
                        onChange.accept(List.copyOf(parties.values()));
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("Relying-party registry %s: %s; retrying", topic, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } finally {
                KafkaConsumer<String, String> c = consumer;
                consumer = null;
                if (c != null) {
                    c.close(Duration.ofSeconds(2));
                }
            }
        }
    }
}
