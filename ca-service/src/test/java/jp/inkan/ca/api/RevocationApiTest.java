package jp.inkan.ca.api;

import static jp.inkan.ca.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import jp.inkan.ca.testing.Api;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.testing.Csrs;
import org.junit.jupiter.api.Test;

/** Revocation, hold and release on the real database: state rules, idempotency and the outbox. */
@QuarkusTest
class RevocationApiTest {

    static final String MUNICIPALITY = "131016";

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    static String issue(CertificateType type) {
        return given().contentType(ContentType.JSON).body(Requests.typical(type, Csrs.freshRsa()))
                .post("/internal/v1/certificates").then().statusCode(201).extract().jsonPath().getString("serial");
    }

    static ValidatableResponse call(CertificateType type, String serial, String action, Object body) {
        return given().contentType(ContentType.JSON).body(body)
                .post("/internal/v1/cas/" + type.name().toLowerCase(Locale.ROOT) + "/certificates/" + serial + "/" + action)
                .then();
    }

    static Map<String, Object> revocation(String reason) {
        return Map.of("municipalityCode", MUNICIPALITY, "reason", reason);
    }

    @Test
    void revocationIsStampedOnceAndOnlyKeyCompromiseMayFollow() throws Exception {
        String serial = issue(CertificateType.SIGNATURE);
        Instant before = Instant.now();
        String revokedAt = call(CertificateType.SIGNATURE, serial, "revocation", revocation("affiliationChanged"))
                .statusCode(200).body("status", equalTo("REVOKED")).body("reason", equalTo("affiliationChanged"))
                .body("unchanged", equalTo(false)).body("keyGeneration", equalTo(1))
                .extract().jsonPath().getString("revokedAt");
        assertTrue(!Instant.parse(revokedAt).isBefore(before.minusSeconds(1)), revokedAt);

        call(CertificateType.SIGNATURE, serial, "revocation", revocation("affiliationChanged"))
                .statusCode(200).body("revokedAt", equalTo(revokedAt)).body("unchanged", equalTo(true));
        call(CertificateType.SIGNATURE, serial, "revocation", revocation("superseded"))
                .statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:revocation-conflict"));
        call(CertificateType.SIGNATURE, serial, "revocation", revocation("keyCompromise"))
                .statusCode(200).body("reason", equalTo("keyCompromise")).body("revokedAt", equalTo(revokedAt))
                .body("unchanged", equalTo(false));
        call(CertificateType.SIGNATURE, serial, "revocation", revocation("keyCompromise"))
                .statusCode(200).body("unchanged", equalTo(true));

        List<CertificateEvent> events = events(serial);
        assertEquals(List.of(CertificateEvent.Kind.ISSUED, CertificateEvent.Kind.REVOKED,
                CertificateEvent.Kind.REASON_CHANGED), events.stream().map(CertificateEvent::kind).toList());
        assertEquals(List.of(1L, 2L, 3L), events.stream().map(CertificateEvent::revision).toList());
        CertificateEvent last = events.get(2);
        assertEquals("REVOKED", last.status());
        assertEquals(RevocationReason.KEY_COMPROMISE, last.reason());
        assertEquals(Instant.parse(revokedAt), last.revokedAt());
        assertEquals(MUNICIPALITY, last.municipalityCode());
        assertEquals(last.issuerKeyId() + ":" + serial, last.key());
        assertNotNull(last.notAfter());
    }

    @Test
    void holdKeepsItsTimeWhenTheCertificateIsThenRevoked() throws Exception {
        String serial = issue(CertificateType.AUTHENTICATION);
        String heldAt = call(CertificateType.AUTHENTICATION, serial, "hold", Map.of("municipalityCode", MUNICIPALITY))
                .statusCode(200).body("status", equalTo("ON_HOLD")).body("reason", equalTo("certificateHold"))
                .extract().jsonPath().getString("revokedAt");
        call(CertificateType.AUTHENTICATION, serial, "hold", Map.of("municipalityCode", MUNICIPALITY))
                .statusCode(200).body("unchanged", equalTo(true)).body("revokedAt", equalTo(heldAt));
        call(CertificateType.AUTHENTICATION, serial, "revocation", revocation("cessationOfOperation"))
                .statusCode(200).body("status", equalTo("REVOKED")).body("reason", equalTo("cessationOfOperation"))
                .body("revokedAt", equalTo(heldAt));
        call(CertificateType.AUTHENTICATION, serial, "hold", Map.of("municipalityCode", MUNICIPALITY))
                .statusCode(200).body("status", equalTo("REVOKED")).body("unchanged", equalTo(true));
        assertEquals(List.of(CertificateEvent.Kind.ISSUED, CertificateEvent.Kind.HELD, CertificateEvent.Kind.REVOKED),
                events(serial).stream().map(CertificateEvent::kind).toList());
    }

    @Test
    void anotherMunicipalitySeesNothingAndChangesNothing() throws Exception {
        String serial = issue(CertificateType.SIGNATURE);
        call(CertificateType.SIGNATURE, serial, "revocation", Map.of("municipalityCode", "011002", "reason", "unspecified"))
                .statusCode(404).body("type", equalTo("urn:inkan:problem:not-found"));
        call(CertificateType.SIGNATURE, serial, "hold", Map.of("municipalityCode", "011002")).statusCode(404);
        // The other CA never issued this serial.
        call(CertificateType.AUTHENTICATION, serial, "revocation", revocation("unspecified")).statusCode(404);
        assertEquals(1, events(serial).size());
    }

    @Test
    void everyBadFieldIsListedAndNothingChanges() throws Exception {
        String serial = issue(CertificateType.SIGNATURE);
        call(CertificateType.SIGNATURE, serial, "revocation",
                Map.of("municipalityCode", "13101", "invalidityDate", Instant.now().plusSeconds(3600).toString()))
                .statusCode(400).contentType("application/problem+json")
                .body("violations.field", hasItems("municipalityCode", "reason", "invalidityDate"));
        call(CertificateType.SIGNATURE, serial, "revocation", revocation("certificateHold"))
                .statusCode(400).body("violations.field", hasItems("reason"));
        call(CertificateType.SIGNATURE, serial, "revocation", revocation("privilegeWithdrawn")).statusCode(400);
        call(CertificateType.SIGNATURE, "xyz", "revocation", revocation("unspecified"))
                .statusCode(400).body("violations.field", hasItems("serial"));
        assertEquals(1, events(serial).size());
    }

    @Test
    void holdReleaseIsOperatorOnlyAndOffByDefault() {
        String serial = issue(CertificateType.AUTHENTICATION);
        call(CertificateType.AUTHENTICATION, serial, "hold", Map.of("municipalityCode", MUNICIPALITY)).statusCode(200);
        // Only operators may ask, and only two of them together (KeyRotationTest covers dual control).
        given().contentType(ContentType.JSON).body(Map.of("action", "RELEASE_HOLD", "ca", "AUTHENTICATION", "serial", serial))
                .post("/operator/v1/requests").then()
                .statusCode(403).body("type", equalTo("urn:inkan:problem:client-not-allowed"));
        long id = Api.as("operators/alice").contentType(ContentType.JSON)
                .body(Map.of("action", "RELEASE_HOLD", "ca", "AUTHENTICATION", "serial", serial))
                .post("/operator/v1/requests").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.as("operators/bob").post("/operator/v1/requests/" + id + "/approval").then().statusCode(200);
        Api.as("operators/bob").post("/operator/v1/requests/" + id + "/execution").then()
                .statusCode(403).body("type", equalTo("urn:inkan:problem:disabled"));
        given().get("/internal/v1/cas/authentication/certificates/" + serial).then().statusCode(200);
    }

    @Test
    void onlyTheRegistrationServiceRevokes() {
        String serial = issue(CertificateType.SIGNATURE);
        Api.as("ocsp-responder").contentType(ContentType.JSON).body(revocation("unspecified"))
                .post("/internal/v1/cas/signature/certificates/" + serial + "/revocation").then().statusCode(403);
        Api.as("crl-publisher").contentType(ContentType.JSON).body(Map.of("municipalityCode", MUNICIPALITY))
                .post("/internal/v1/cas/signature/certificates/" + serial + "/hold").then().statusCode(403);
    }

    /** The certificate's events in the outbox, in the order the relay publishes them. */
    List<CertificateEvent> events(String serial) throws Exception {
        List<CertificateEvent> events = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "select payload from outbox_event where event_key like ? order by id")) {
            query.setString(1, "%:" + serial);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(json.readValue(rows.getString(1), CertificateEvent.class));
                }
            }
        }
        return events;
    }
}
