package jp.inkan.common.relyingparty;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The relying-party registry on Kafka: one compacted topic, one partition (a few hundred records;
 * one partition keeps every replica's view in one order), key = relying-party id, value = the
 * party's whole {@link RelyingParty} record as JSON (a null value deletes it).
 */
public final class RegistryTopic {

    public static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Partitions of the registry topic (and of {@link UsageTopic}'s): one, so every replica sees the
     * records in one order. The topics' single source of truth with {@link #SETTINGS}: {@link #ensure}
     * creates them so, and k8s/ declares them so as Strimzi KafkaTopics (deploy-tests compares).
     */
    public static final int PARTITIONS = 1;

    /** The registry topic's settings: compacted, the newest record per relying party kept. */
    public static final Map<String, String> SETTINGS = Map.of("cleanup.policy", "compact");

    private RegistryTopic() {
    }

    /** Creates the topic ({@link #PARTITIONS}, {@link #SETTINGS}, the broker's default replication) if it is missing. */
    public static void ensure(String bootstrap, String topic) {
        ensure(bootstrap, topic, PARTITIONS, SETTINGS);
    }

    /** Creates a topic with these partitions and settings (and the broker's default replication) if it is missing. */
    static void ensure(String bootstrap, String topic, int partitions, Map<String, String> settings) {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(config)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.empty())
                    .configs(settings);
            admin.createTopics(List.of(newTopic)).all().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + topic + ": broker not answering", e);
        }
    }

    public static KafkaConsumer<String, String> consumer(String bootstrap, String clientId) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "2000");
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Applies one record to {@code parties}: a valid record replaces the party, a tombstone removes
     * it; a record that does not parse or breaks a rule is refused (the previous version stays) and
     * reported.
     */
    public static Optional<String> apply(ConsumerRecord<String, String> record, Map<String, RelyingParty> parties) {
        if (record.value() == null) {
            parties.remove(record.key());
            return Optional.empty();
        }
        try {
            RelyingParty party = JSON.readValue(record.value(), RelyingParty.class);
            List<String> problems = party.problems();
            if (!problems.isEmpty()) {
                return Optional.of(problems.toString());
            }
            if (!party.id().equals(record.key())) {
                return Optional.of("key " + record.key() + " is not the id " + party.id());
            }
            new RelyingPartyIndex(List.of(party)); // its certificates must parse
            parties.put(party.id(), party);
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.of("unreadable: " + e.getMessage());
        }
    }

    /** Reads the whole topic (up to its end offsets now): the registry as the operator command sees it. */
    public static Map<String, RelyingParty> readAll(String bootstrap, String topic) {
        Map<String, RelyingParty> parties = new HashMap<>();
        readToEnd(bootstrap, topic, record -> apply(record, parties));
        return parties;
    }

    /** Hands every record of the topic, from the beginning up to its end offsets now, to {@code each}. */
    static void readToEnd(String bootstrap, String topic, java.util.function.Consumer<ConsumerRecord<String, String>> each) {
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap, "relying-party-command")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(each);
            }
        }
    }
}
