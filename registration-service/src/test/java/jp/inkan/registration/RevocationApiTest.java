package jp.inkan.registration;

import static jp.inkan.registration.RegistrationApiTest.CHIYODA;
import static jp.inkan.registration.RegistrationApiTest.SHINJUKU;
import static jp.inkan.registration.RegistrationApiTest.adultApplication;
import static jp.inkan.registration.RegistrationApiTest.as;
import static jp.inkan.registration.RegistrationApiTest.submit;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jp.inkan.registration.municipality.Municipalities;
import jp.inkan.testing.CaServiceProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Revocation, hold and resident-registry events end to end: mTLS, the real ca-service process, PostgreSQL, SoftHSM2. */
@QuarkusTest
class RevocationApiTest {

    @Inject
    Municipalities municipalities;
    @Inject
    AgroalDataSource db;

    @BeforeEach
    void registerMunicipalities() throws Exception {
        RegistrationApiTest registration = new RegistrationApiTest();
        registration.municipalities = municipalities;
        registration.registerMunicipalities();
    }

    record Card(String resident, String cardSerial, String signature, String authentication, String applicationId) {
    }

    static Card issue(String municipality) {
        Map<String, Object> body = adultApplication();
        JsonPath result = submit(municipality, UUID.randomUUID().toString(), body).statusCode(201).extract().jsonPath();
        return new Card((String) body.get("residentRecordCode"), (String) body.get("cardSerial"),
                result.getString("certificates.find { it.type == 'SIGNATURE' }.serial"),
                result.getString("certificates.find { it.type == 'AUTHENTICATION' }.serial"),
                result.getString("applicationId"));
    }

    static ValidatableResponse revoke(String municipality, String serial, Object body) {
        return as(municipality).contentType(ContentType.JSON).body(body)
                .post("/api/v1/certificates/" + serial + "/revocation").then();
    }

    static ValidatableResponse residentEvent(String municipality, Map<String, Object> body) {
        return as(municipality).contentType(ContentType.JSON).body(body).post("/api/v1/residents/events").then();
    }

    @Test
    void aRevocationIsRecordedOnceAndOnlyKeyCompromiseMayFollow() throws Exception {
        Card card = issue(CHIYODA);
        String invalidity = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        JsonPath first = revoke(CHIYODA, card.signature(), Map.of("reason", "superseded", "invalidityDate", invalidity))
                .statusCode(200).body("status", equalTo("REVOKED")).body("reason", equalTo("superseded"))
                .body("ca", equalTo("SIGNATURE")).body("invalidityDate", equalTo(invalidity))
                .body("unchanged", equalTo(false)).extract().jsonPath();
        String revokedAt = first.getString("revokedAt");

        // The same again: the first revocation's time and reason.
        revoke(CHIYODA, card.signature().toUpperCase(), Map.of("reason", "superseded")).statusCode(200)
                .body("revokedAt", equalTo(revokedAt)).body("reason", equalTo("superseded")).body("unchanged", equalTo(true));
        // Another reason is refused, except keyCompromise.
        revoke(CHIYODA, card.signature(), Map.of("reason", "affiliationChanged")).statusCode(409)
                .contentType("application/problem+json");
        revoke(CHIYODA, card.signature(), Map.of("reason", "keyCompromise")).statusCode(200)
                .body("reason", equalTo("keyCompromise")).body("revokedAt", equalTo(revokedAt));

        assertEquals("REVOKED keyCompromise", caStatus(card.signature()));
        assertEquals("VALID null", caStatus(card.authentication()));
        as(CHIYODA).get("/api/v1/applications/" + card.applicationId()).then().statusCode(200)
                .body("certificates.find { it.type == 'SIGNATURE' }.status", equalTo("REVOKED"))
                .body("certificates.find { it.type == 'SIGNATURE' }.reason", equalTo("keyCompromise"))
                .body("certificates.find { it.type == 'AUTHENTICATION' }.status", equalTo("VALID"));
        assertEquals(2, count("select count(*) from audit_event where application_id = '" + card.applicationId()
                + "' and action = 'REVOKE_CERTIFICATE' and outcome = 'ACCEPTED'"));
        assertEquals(1, count("select count(*) from audit_event where application_id = '" + card.applicationId()
                + "' and action = 'REVOKE_CERTIFICATE' and outcome = 'REPLAYED'"));
        assertEquals(1, count("select count(*) from audit_event where application_id = '" + card.applicationId()
                + "' and action = 'REVOKE_CERTIFICATE' and outcome = 'REFUSED'"));
    }

    @Test
    void anotherMunicipalitysCertificateIsNotFoundAndStaysValid() throws Exception {
        Card card = issue(CHIYODA);
        revoke(SHINJUKU, card.signature(), Map.of("reason", "keyCompromise")).statusCode(404)
                .contentType("application/problem+json");
        as(SHINJUKU).post("/api/v1/certificates/" + card.authentication() + "/hold").then().statusCode(404);
        revoke(CHIYODA, "ffffffffffffffff", Map.of("reason", "keyCompromise")).statusCode(404);
        assertEquals("VALID null", caStatus(card.signature()));
        assertEquals("VALID null", caStatus(card.authentication()));
    }

    @Test
    void everyBadFieldIsListedAndNothingChanges() throws Exception {
        Card card = issue(CHIYODA);
        String future = Instant.now().plus(1, ChronoUnit.DAYS).toString();
        revoke(CHIYODA, card.signature(), Map.of("reason", "certificateHold", "invalidityDate", future))
                .statusCode(400).contentType("application/problem+json")
                .body("violations.field", containsInAnyOrder("reason", "invalidityDate"));
        revoke(CHIYODA, card.signature(), Map.of("reason", "because", "invalidityDate", "yesterday"))
                .statusCode(400).body("violations.field", containsInAnyOrder("reason", "invalidityDate"));
        revoke(CHIYODA, "not-hex", Map.of()).statusCode(400)
                .body("violations.field", containsInAnyOrder("serial", "reason"));
        residentEvent(CHIYODA, Map.of("residentRecordCode", "123", "event", "MOVED_AWAY")).statusCode(400)
                .body("violations.field", containsInAnyOrder("residentRecordCode", "event"));
        residentEvent(CHIYODA, Map.of("residentRecordCode", card.resident(), "event", "CARD_RETURNED")).statusCode(400)
                .body("violations.field", containsInAnyOrder("cardSerial"));
        assertEquals("VALID null", caStatus(card.signature()));
        assertEquals("VALID null", caStatus(card.authentication()));
    }

    @Test
    void aHoldFromTheLossLineKeepsItsTimeWhenTheRevocationFollows() throws Exception {
        Card card = issue(CHIYODA);
        String heldAt = as(CHIYODA).post("/api/v1/certificates/" + card.authentication() + "/hold").then()
                .statusCode(200).body("status", equalTo("ON_HOLD")).body("reason", equalTo("certificateHold"))
                .extract().jsonPath().getString("revokedAt");
        as(CHIYODA).post("/api/v1/certificates/" + card.authentication() + "/hold").then().statusCode(200)
                .body("revokedAt", equalTo(heldAt)).body("unchanged", equalTo(true));
        assertEquals("ON_HOLD certificateHold", caStatus(card.authentication()));
        revoke(CHIYODA, card.authentication(), Map.of("reason", "keyCompromise")).statusCode(200)
                .body("status", equalTo("REVOKED")).body("revokedAt", equalTo(heldAt));
        assertEquals("REVOKED keyCompromise", caStatus(card.authentication()));
    }

    @Test
    void residentEventsEndTheCertificatesJpkiSays() throws Exception {
        // A move (basic four facts changed): the signature certificate only.
        Card moved = issue(CHIYODA);
        residentEvent(CHIYODA, Map.of("residentRecordCode", moved.resident(), "event", "BASIC_FACTS_CHANGED"))
                .statusCode(200).body("reason", equalTo("affiliationChanged"))
                .body("certificates.serial", containsInAnyOrder(moved.signature()));
        assertEquals("REVOKED affiliationChanged", caStatus(moved.signature()));
        assertEquals("VALID null", caStatus(moved.authentication()));
        // Repeated: nothing more to end.
        residentEvent(CHIYODA, Map.of("residentRecordCode", moved.resident(), "event", "BASIC_FACTS_CHANGED"))
                .statusCode(200).body("certificates", hasSize(0));

        // Death: both, and the event is the other municipality's to send only for its own residents.
        Card died = issue(CHIYODA);
        residentEvent(SHINJUKU, Map.of("residentRecordCode", died.resident(), "event", "DEATH")).statusCode(200)
                .body("certificates", hasSize(0));
        assertEquals("VALID null", caStatus(died.signature()));
        residentEvent(CHIYODA, Map.of("residentRecordCode", died.resident(), "event", "DEATH")).statusCode(200)
                .body("reason", equalTo("cessationOfOperation"))
                .body("certificates.serial", containsInAnyOrder(died.signature(), died.authentication()));
        assertEquals("REVOKED cessationOfOperation", caStatus(died.signature()));
        assertEquals("REVOKED cessationOfOperation", caStatus(died.authentication()));

        // A returned card: that card's certificates, not those of the resident's other card.
        Card returned = issue(CHIYODA);
        residentEvent(CHIYODA, Map.of("residentRecordCode", returned.resident(), "event", "CARD_RETURNED",
                "cardSerial", "OTHERCARD1")).statusCode(200).body("certificates", hasSize(0));
        residentEvent(CHIYODA, Map.of("residentRecordCode", returned.resident(), "event", "CARD_RETURNED",
                "cardSerial", returned.cardSerial())).statusCode(200)
                .body("certificates.serial", containsInAnyOrder(returned.signature(), returned.authentication()));
        assertEquals(2, count("select count(*) from audit_event where application_id = '" + returned.applicationId()
                + "' and action = 'RESIDENT_EVENT' and outcome = 'ACCEPTED'"));
    }

    @Test
    void whenCaServiceIsDownNothingIsRecordedAndARetryRevokes() throws Exception {
        Card card = issue(CHIYODA);
        CaServiceProcess.stop();
        try {
            revoke(CHIYODA, card.signature(), Map.of("reason", "keyCompromise")).statusCode(503)
                    .contentType("application/problem+json").body("type", equalTo("urn:inkan:problem:ca-unavailable"));
            residentEvent(CHIYODA, Map.of("residentRecordCode", card.resident(), "event", "DEATH")).statusCode(503);
        } finally {
            CaServiceProcess.start();
        }
        as(CHIYODA).get("/api/v1/applications/" + card.applicationId()).then().statusCode(200)
                .body("certificates.status", containsInAnyOrder("VALID", "VALID"));
        assertEquals("VALID null", caStatus(card.signature()));
        residentEvent(CHIYODA, Map.of("residentRecordCode", card.resident(), "event", "DEATH")).statusCode(200)
                .body("certificates", hasSize(2));
        // Each failure audited once: the event stopped at its first certificate.
        assertEquals(1, count("select count(*) from audit_event where application_id = '" + card.applicationId()
                + "' and action = 'REVOKE_CERTIFICATE' and outcome = 'FAILED'"));
        assertEquals(1, count("select count(*) from audit_event where application_id = '" + card.applicationId()
                + "' and action = 'RESIDENT_EVENT' and outcome = 'FAILED'"));
        assertEquals(2, count("select count(*) from audit_event where application_id = '" + card.applicationId()
                + "' and action = 'RESIDENT_EVENT' and outcome = 'ACCEPTED'"));
    }

    // ---- helpers ----------------------------------------------------------------------------

    long count(String sql) throws SQLException {
        RegistrationApiTest registration = new RegistrationApiTest();
        registration.db = db;
        return registration.count(sql);
    }

    /** "status reason" of a certificate in ca-service's inventory, the record. */
    static String caStatus(String serial) throws SQLException {
        List<String> found = RegistrationApiTest.inCaDatabase(
                "select status || ' ' || coalesce(revocation_reason, 'null') from issued_certificate where serial = '"
                        + serial + "'");
        assertEquals(1, found.size(), "certificates with serial " + serial);
        return found.get(0);
    }
}
