package jp.inkan.ca.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import jp.inkan.ca.testing.Api;
import jp.inkan.ca.testing.LocalInfrastructure;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Events reach a real broker, in order per certificate, and survive a broker crash. */
@QuarkusTest
class OutboxRelayTest {

    @Inject
    ObjectMapper json;

    @Inject
    OutboxRelay relay;

    @Inject
    javax.sql.DataSource dataSource;

    @ConfigProperty(name = "inkan.events.topic.name")
    String topic;

    static String issue(CertificateType type) {
        return Api.given().contentType(ContentType.JSON).body(Requests.typical(type, Csrs.freshRsa()))
                .post("/internal/v1/certificates").then().statusCode(201).extract().jsonPath().getString("serial");
    }

    static void revoke(String serial) {
        Api.given().contentType(ContentType.JSON).body(Map.of("municipalityCode", "131016", "reason", "unspecified"))
                .post("/internal/v1/cas/signature/certificates/" + serial + "/revocation").then().statusCode(200);
    }

    @Test
    void issuanceAndRevocationArePublishedInOrderPerCertificate() throws Exception {
        String serial = issue(CertificateType.SIGNATURE);
        revoke(serial);
        Map<String, List<CertificateEvent>> seen = consumeUntil(Set.of(serial), events -> events.size() >= 2);
        List<CertificateEvent> events = seen.get(serial);
        assertEquals(List.of(1L, 2L), events.stream().map(CertificateEvent::revision).toList());
        assertEquals(List.of("VALID", "REVOKED"), events.stream().map(CertificateEvent::status).toList());
    }

    @Test
    void revocationsDuringABrokerCrashArePublishedAfterItReturns() throws Exception {
        List<String> serials = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            serials.add(issue(CertificateType.SIGNATURE));
        }
        KafkaBroker broker = KafkaBroker.shared(LocalInfrastructure.BROKER);
        broker.kill();
        try {
            // Revocation does not depend on Kafka: the outbox keeps the events.
            serials.forEach(OutboxRelayTest::revoke);
            assertTrue(relay.backlog() >= serials.size(), "events wait in the outbox while the broker is down");
            // The wellness check sees the broker gone; readiness does not depend on Kafka.
            awaitHealth("/q/health/well", 503, Duration.ofSeconds(20));
            health("/q/health/ready").then().statusCode(200);
        } finally {
            broker.restart();
        }
        Map<String, List<CertificateEvent>> seen = consumeUntil(Set.copyOf(serials),
                events -> events.stream().anyMatch(e -> e.revision() == 2));
        for (String serial : serials) {
            List<CertificateEvent> events = seen.get(serial);
            assertEquals("REVOKED", events.get(events.size() - 1).status(), serial);
            // At least once, in order: revisions never go backwards within a certificate.
            for (int i = 1; i < events.size(); i++) {
                assertTrue(events.get(i).revision() >= events.get(i - 1).revision(), serial + ": " + events);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (relay.backlog() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, relay.backlog(), "every outbox row is marked published");
        awaitHealth("/q/health/well", 200, Duration.ofSeconds(20));
    }

    static io.restassured.response.Response health(String path) {
        int management = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.management.test-port", Integer.class);
        return io.restassured.RestAssured.given().baseUri("http://127.0.0.1").port(management).get(path);
    }

    static void awaitHealth(String path, int status, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        io.restassured.response.Response last = health(path);
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(250);
            last = health(path);
        }
        assertEquals(status, last.statusCode(), path + ": " + last.asString());
        if (status == 503) {
            assertTrue(last.asString().contains("certificate-events"), last.asString());
        }
    }

    /** Reads the whole topic until every serial's events satisfy {@code done}. */
    private Map<String, List<CertificateEvent>> consumeUntil(Set<String> serials,
                                                             Predicate<List<CertificateEvent>> done) throws Exception {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared(LocalInfrastructure.BROKER).bootstrapServers());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, List<CertificateEvent>> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    CertificateEvent event = json.readValue(record.value(), CertificateEvent.class);
                    assertEquals(event.key(), record.key());
                    if (serials.contains(event.serial())) {
                        seen.computeIfAbsent(event.serial(), s -> new ArrayList<>()).add(event);
                    }
                }
                if (serials.stream().allMatch(s -> seen.containsKey(s) && done.test(seen.get(s)))) {
                    return seen;
                }
            }
        }
        throw new AssertionError("not every certificate's events arrived within 60 s: " + seen.keySet());
    }

    /**
     * The relay's own commits (marking rows published) do not wait for the WAL flush, and the
     * setting ends with its transaction, so certificate commits on the same pooled connection stay
     * synchronous.
     */
    @Test
    void relayTransactionsCommitAsynchronouslyAndOnlyThem() throws Exception {
        try (java.sql.Connection connection = dataSource.getConnection()) {
            assertEquals("on", synchronousCommit(connection));
            connection.setAutoCommit(false);
            try {
                OutboxRelay.tryLock(connection);
                assertEquals("off", synchronousCommit(connection));
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
            assertEquals("on", synchronousCommit(connection));
        }
    }

    private static String synchronousCommit(java.sql.Connection connection) throws java.sql.SQLException {
        try (var query = connection.prepareStatement("select current_setting('synchronous_commit')");
             var row = query.executeQuery()) {
            row.next();
            return row.getString(1);
        }
    }
}
