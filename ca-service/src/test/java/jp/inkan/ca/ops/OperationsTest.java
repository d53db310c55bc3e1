package jp.inkan.ca.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import jp.inkan.ca.testing.Api;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.Prometheus;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Health, metrics and OpenAPI on the management port, and the meters moving with the work. */
@QuarkusTest
class OperationsTest {

    static int management() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    @Test
    void issuanceRefusalsAndRevocationsMoveTheirMeters() {
        Map<String, String> issued = Map.of("ca", "signature", "outcome", "issued");
        Map<String, String> invalid = Map.of("ca", "signature", "outcome", "invalid-request");
        Map<String, String> revoked = Map.of("ca", "signature", "change", "revoked");
        Prometheus before = Prometheus.scrape(management());

        String serial = Api.given().contentType(ContentType.JSON)
                .body(Requests.typical(CertificateType.SIGNATURE, Csrs.freshRsa()))
                .post("/internal/v1/certificates").then().statusCode(201).extract().jsonPath().getString("serial");
        Api.given().contentType(ContentType.JSON)
                .body(Requests.typical(CertificateType.SIGNATURE, "not a CSR"))
                .post("/internal/v1/certificates").then().statusCode(400);
        Api.given().contentType(ContentType.JSON).body(Map.of("municipalityCode", "131016", "reason", "keyCompromise"))
                .post("/internal/v1/cas/signature/certificates/" + serial + "/revocation").then().statusCode(200);

        Prometheus after = Prometheus.scrape(management());
        assertEquals(before.value("inkan_ca_issuance_seconds_count", issued) + 1,
                after.value("inkan_ca_issuance_seconds_count", issued));
        assertTrue(after.value("inkan_ca_issuance_seconds_sum", issued) > before.value("inkan_ca_issuance_seconds_sum", issued));
        assertTrue(after.value("inkan_ca_issuance_seconds_bucket", issued) > 0, "a latency histogram is published");
        assertEquals(before.value("inkan_ca_issuance_seconds_count", invalid) + 1,
                after.value("inkan_ca_issuance_seconds_count", invalid));
        assertEquals(before.value("inkan_ca_revocations_total", revoked) + 1,
                after.value("inkan_ca_revocations_total", revoked));
        assertTrue(after.has("inkan_hsm_errors_total"), "HSM error counters exist before the first error");
    }

    @Test
    void readinessChecksTheTokenAndTheDatabaseAndOpenApiIsServed() {
        JsonPath ready = RestAssured.given().baseUri("http://127.0.0.1").port(management()).get("/q/health/ready")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("UP", ready.getString("checks.find { it.name == 'hsm' }.status"), ready.prettify());
        assertEquals("UP", ready.getString("checks.find { it.name.contains('Database') }.status"), ready.prettify());
        RestAssured.given().baseUri("http://127.0.0.1").port(management()).get("/q/health/live").then().statusCode(200);
        String openapi = RestAssured.given().baseUri("http://127.0.0.1").port(management()).get("/q/openapi")
                .then().statusCode(200).extract().asString();
        assertTrue(openapi.contains("/internal/v1/certificates"), openapi);
    }
}
