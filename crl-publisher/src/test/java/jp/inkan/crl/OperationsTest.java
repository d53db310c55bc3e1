package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import jp.inkan.common.CertificateType;
import jp.inkan.crl.testing.Ca;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.Prometheus;
import org.junit.jupiter.api.Test;

/** Health, metrics and OpenAPI on the management port: the CRL age, publications, the consumer. */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class OperationsTest {

    static final String CHIYODA = "131016";

    @Inject
    DataSource db;

    @Test
    void publicationsAndTheCrlAgeAreMeasured() throws Exception {
        Map<String, String> served = Map.of("kind", "complete", "outcome", "served");
        Map<String, String> partition = Map.of("ca", "signature", "scope", CHIYODA, "kind", "complete");
        Prometheus before = Prometheus.scrape(Crls.managementPort());
        Ca.Issued issued = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        Ca.revoke(issued, CHIYODA, "keyCompromise", null);
        Crls.awaitStatus(db, issued.serial(), "R");
        Crls.publish("complete");

        Prometheus after = Prometheus.scrape(Crls.managementPort());
        assertTrue(after.value("inkan_crl_publications_seconds_count", served)
                > before.value("inkan_crl_publications_seconds_count", served), "publications are counted");
        assertTrue(after.value("inkan_events_consumed_total") >= before.value("inkan_events_consumed_total") + 2,
                "the issued and revoked events were consumed");
        assertTrue(after.has("inkan_events_consumer_lag"), after.text());
        double age = after.value("inkan_crl_age_seconds", partition);
        assertTrue(age >= 0 && age < 30, "the partition's CRL was just published: " + age);
        Thread.sleep(2100);
        double older = Prometheus.scrape(Crls.managementPort()).value("inkan_crl_age_seconds", partition);
        assertTrue(older >= age + 2, "the age grows until the next CRL: " + age + " then " + older);
        String openapi = management().get("/q/openapi").then().statusCode(200).extract().asString();
        assertTrue(openapi.contains("/crl/publish") && openapi.contains("application/pkix-crl"), openapi);
    }

    @Test
    void notReadyWhileTheBrokerIsGone() throws Exception {
        awaitReady(200, Duration.ofSeconds(20));
        KafkaBroker broker = KafkaBroker.shared(CrlInfrastructure.BROKER);
        broker.kill();
        try {
            Response down = awaitReady(503, Duration.ofSeconds(30));
            assertTrue(down.asString().contains("certificate-events"), down.asString());
            // Liveness does not depend on Kafka: a restart would not bring the broker back.
            management().get("/q/health/live").then().statusCode(200);
        } finally {
            broker.restart();
        }
        awaitReady(200, Duration.ofSeconds(30));
    }

    static io.restassured.specification.RequestSpecification management() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(Crls.managementPort());
    }

    static Response awaitReady(int status, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        Response last = management().get("/q/health/ready");
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(250);
            last = management().get("/q/health/ready");
        }
        assertEquals(status, last.statusCode(), last.asString());
        return last;
    }
}
