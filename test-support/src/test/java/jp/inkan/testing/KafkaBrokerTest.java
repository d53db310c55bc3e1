package jp.inkan.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real broker process: what was acknowledged survives SIGKILL; topics get the asked configuration. */
class KafkaBrokerTest {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.start("kafka-broker-test");
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void acknowledgedRecordsAndRecordsSentDuringTheOutageSurviveSigkillExactlyOnceInOrderPerKey() throws Exception {
        String topic = "durability";
        int partitions = 3;
        int keys = 12;
        int before = 50;
        int after = 25;
        broker.createTopic(topic, partitions, Map.of());

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties())) {
            List<Future<RecordMetadata>> acknowledged = send(producer, topic, keys, 0, before);
            for (Future<RecordMetadata> ack : acknowledged) {
                ack.get(30, TimeUnit.SECONDS);
            }
            broker.kill();
            // Sent while the broker is dead: buffered by the producer, delivered after the restart.
            // From another thread: send() may block until metadata is available again (up to
            // max.block.ms per call), which would hold off the restart it waits for.
            CompletableFuture<List<Future<RecordMetadata>>> sending =
                    CompletableFuture.supplyAsync(() -> send(producer, topic, keys, before, before + after));
            Thread.sleep(1000);
            broker.restart();
            List<Future<RecordMetadata>> buffered = sending.get(60, TimeUnit.SECONDS);
            for (Future<RecordMetadata> ack : buffered) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }

        Map<String, List<Integer>> byKey = consumeAll(topic, partitions, keys * (before + after));
        assertEquals(keys, byKey.size());
        List<Integer> expected = IntStream.range(0, before + after).boxed().toList();
        byKey.forEach((key, values) -> assertEquals(expected, values, "values of " + key + ", in offset order"));
    }

    @Test
    void topicGetsItsPartitionsAndConfigurationAndCreatingItAgainIsANoOp() throws Exception {
        Map<String, String> config = Map.of("cleanup.policy", "compact", "retention.ms", "3600000");
        broker.createTopic("configured", 4, config);
        broker.createTopic("configured", 4, config);

        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            TopicDescription description = admin.describeTopics(List.of("configured")).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get("configured");
            assertEquals(4, description.partitions().size());
            assertEquals(1, description.partitions().get(0).replicas().size());

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "configured");
            Config described = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            for (Map.Entry<String, String> entry : config.entrySet()) {
                ConfigEntry value = described.get(entry.getKey());
                assertEquals(entry.getValue(), value.value(), entry.getKey());
                assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, value.source(), entry.getKey());
            }

            // Topics come from the services' configuration only: the broker does not invent them.
            ExecutionException missing = assertThrows(ExecutionException.class, () -> admin
                    .describeTopics(List.of("never-created")).allTopicNames().get(10, TimeUnit.SECONDS));
            assertEquals(UnknownTopicOrPartitionException.class, missing.getCause().getClass());
        }
    }

    private static List<Future<RecordMetadata>> send(KafkaProducer<String, String> producer, String topic, int keys,
            int from, int to) {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (int k = 0; k < keys; k++) {
                futures.add(producer.send(new ProducerRecord<>(topic, "key-" + k, Integer.toString(i))));
            }
        }
        return futures;
    }

    private static Map<String, List<Integer>> consumeAll(String topic, int partitions, int expected) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, List<Integer>> byKey = new LinkedHashMap<>();
        int received = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> all = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Read until every partition's end offset: a duplicate would show as an extra value.
            Map<TopicPartition, Long> ends = consumer.endOffsets(all, Duration.ofSeconds(10));
            while (all.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Integer.valueOf(record.value()));
                    received++;
                }
            }
        }
        assertEquals(expected, received, "records read back");
        return byKey;
    }

    private static Properties producerProperties() {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "90000");
        properties.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return properties;
    }
}
