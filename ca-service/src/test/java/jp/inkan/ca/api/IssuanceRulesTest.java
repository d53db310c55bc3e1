package jp.inkan.ca.api;

import static jp.inkan.ca.testing.Api.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.security.KeyPair;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.testing.Csrs;
import jp.inkan.ca.testing.Api;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuanceRequest.Holder;
import org.junit.jupiter.api.Test;

/** Validity, eligibility, key and input rules, end to end over HTTP on the real database and token. */
@QuarkusTest
class IssuanceRulesTest {

    static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");
    static final LocalDate TODAY = LocalDate.now(JAPAN);

    @Inject
    CertificateStore store;

    static ValidatableResponse post(Object body) {
        return given().contentType(ContentType.JSON).body(body).post("/internal/v1/certificates").then();
    }

    static Instant endOf(LocalDate day) {
        return day.atTime(LocalTime.of(23, 59, 59)).atZone(JAPAN).toInstant();
    }

    static Instant notAfter(ValidatableResponse response) {
        return Instant.parse(response.statusCode(201).extract().jsonPath().getString("notAfter"));
    }

    static IssuanceRequest withHolder(CertificateType type, Holder holder, LocalDate cardExpiry) {
        return Requests.request(type, Csrs.freshRsa(), holder, cardExpiry, Requests.newCardSerial());
    }

    // ---- validity ----------------------------------------------------------------------------

    @Test
    void birthdayTodayDoesNotCountAsTheFirst() {
        IssuanceRequest request = withHolder(CertificateType.SIGNATURE, Requests.adult(TODAY.minusYears(30)),
                TODAY.plusYears(10));
        assertEquals(endOf(TODAY.plusYears(5)), notAfter(post(request)));
    }

    @Test
    void cardExpiryBeforeTheFifthBirthdayCapsTheCertificate() {
        LocalDate cardExpiry = TODAY.plusYears(2).plusDays(17);
        IssuanceRequest request = withHolder(CertificateType.AUTHENTICATION, Requests.adult(TODAY.minusYears(30).plusDays(3)),
                cardExpiry);
        assertEquals(endOf(cardExpiry), notAfter(post(request)));
    }

    @Test
    void leapDayHolderGetsTheDocumentedRule() {
        LocalDate born = LocalDate.of(1988, 2, 29);
        LocalDate expected = born.withYear(ValidityTestDates.fifthBirthdayYear(born, TODAY)); // 28 Feb in common years
        IssuanceRequest request = withHolder(CertificateType.SIGNATURE, Requests.adult(born), TODAY.plusYears(10));
        assertEquals(endOf(expected), notAfter(post(request)));
    }

    @Test
    void renewalInTheLastThreeMonthsRunsToTheSixthBirthday() {
        Holder holder = Requests.adult(TODAY.minusYears(40).plusDays(20));
        // the current certificate ends with its card, in two months
        LocalDate oldCardExpiry = TODAY.plusMonths(2);
        ValidatableResponse current = post(withHolder(CertificateType.AUTHENTICATION, holder, oldCardExpiry));
        String serial = current.statusCode(201).extract().jsonPath().getString("serial");
        IssuanceRequest renewal = new IssuanceRequest(Requests.newRequestId(), CertificateType.AUTHENTICATION, Csrs.freshRsa(), "131016", "A01",
                Requests.newCardSerial(), TODAY.plusYears(10).toString(), holder, serial);
        // birthday in 20 days is the 1st after today; the 6th is 5 years later
        assertEquals(endOf(TODAY.plusDays(20).plusYears(5)), notAfter(post(renewal)));

        IssuanceRequest unknown = new IssuanceRequest(Requests.newRequestId(), CertificateType.AUTHENTICATION, Csrs.freshRsa(), "131016", "A01",
                Requests.newCardSerial(), TODAY.plusYears(10).toString(), holder, "1234abcd");
        post(unknown).statusCode(400).body("violations.field", hasItems("renewsSerial"));
    }

    @Test
    void signatureCertificateIsCappedByTheCardsAuthenticationCertificate() {
        Holder holder = Requests.adult(TODAY.minusYears(40).plusDays(20));
        String card = Requests.newCardSerial();
        LocalDate early = TODAY.plusYears(1);
        Instant authenticationEnd = notAfter(post(Requests.request(CertificateType.AUTHENTICATION, Csrs.freshRsa(),
                holder, early, card)));
        assertEquals(endOf(early), authenticationEnd);
        Instant signatureEnd = notAfter(post(Requests.request(CertificateType.SIGNATURE, Csrs.freshRsa(), holder,
                TODAY.plusYears(10), card)));
        assertEquals(authenticationEnd, signatureEnd);
    }

    // ---- eligibility -------------------------------------------------------------------------

    @Test
    void noSignatureCertificateUnder15ButAnAuthenticationCertificate() {
        Holder fourteen = Requests.adult(TODAY.minusYears(15).plusDays(1));
        long before = store.total();
        post(withHolder(CertificateType.SIGNATURE, fourteen, TODAY.plusYears(5)))
                .statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:not-eligible"))
                .body("detail", containsString("under 15"));
        assertEquals(before, store.total());
        post(withHolder(CertificateType.AUTHENTICATION, fourteen, TODAY.plusYears(5))).statusCode(201);
        post(withHolder(CertificateType.SIGNATURE, Requests.adult(TODAY.minusYears(15)), TODAY.plusYears(5)))
                .statusCode(201);
    }

    @Test
    void noSignatureCertificateForAnAdultWard() {
        Holder h = Requests.adult(TODAY.minusYears(50));
        Holder ward = new Holder(h.name(), h.nameSubstitutionFlags(), h.dateOfBirth(), h.sex(), h.address(),
                h.addressSubstitutionFlags(), true);
        post(withHolder(CertificateType.SIGNATURE, ward, TODAY.plusYears(5))).statusCode(422)
                .body("detail", containsString("adult ward"));
        post(withHolder(CertificateType.AUTHENTICATION, ward, TODAY.plusYears(5))).statusCode(201);
    }

    // ---- keys --------------------------------------------------------------------------------

    @Test
    void weakOrUnacceptedKeysAreRejectedAndNothingIsStored() {
        long before = store.total();
        for (KeyPair weak : new KeyPair[] {Csrs.rsa(2048, BigInteger.valueOf(3)), Csrs.rsa(1024), Csrs.rsa(3072),
                Csrs.ecP256()}) {
            IssuanceRequest request = Requests.typical(CertificateType.AUTHENTICATION, Csrs.pem(weak));
            post(request).statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("urn:inkan:problem:key-rejected"));
            // Nothing is stored but the refusal's audit entry.
            String audited = refusalAudited(request.requestId());
            assertTrue(audited.startsWith("KEY_REJECTED: "), audited);
        }
        assertEquals(before, store.total());
    }

    @Test
    void aRefusalIsAuditedWithTheBadFieldsButNotTheirValues() {
        Holder h = Requests.adult(TODAY.minusYears(30));
        Holder bad = new Holder(h.name(), h.nameSubstitutionFlags(), "1990-02-30", h.sex(), h.address(),
                h.addressSubstitutionFlags(), h.adultWard());
        IssuanceRequest request = Requests.request(CertificateType.SIGNATURE, Csrs.freshRsa(), bad, TODAY.plusYears(10),
                Requests.newCardSerial());
        post(request).statusCode(400);
        String audited = refusalAudited(request.requestId());
        assertTrue(audited.startsWith("INVALID_REQUEST: ") && audited.contains("holder.dateOfBirth"), audited);
        assertFalse(audited.contains("1990-02-30"), audited);
    }

    @Inject
    javax.sql.DataSource dataSource;

    /** The detail of the {@code certificate.refused} audit entry for a request id; fails if there is none. */
    private String refusalAudited(String requestId) {
        try (var connection = dataSource.getConnection(); var query = connection.prepareStatement(
                "select actor, detail from audit_log where action = 'certificate.refused' and subject like ?")) {
            query.setString(1, "% request " + requestId);
            try (var rows = query.executeQuery()) {
                assertTrue(rows.next(), "no certificate.refused audit entry for request " + requestId);
                assertTrue(rows.getString(1).startsWith("municipality "), rows.getString(1));
                return rows.getString(2);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aKeyIsCertifiedOnlyOnceAcrossBothCas() {
        String csr = Csrs.freshRsa();
        post(Requests.typical(CertificateType.AUTHENTICATION, csr)).statusCode(201);
        long after = store.total();
        post(Requests.typical(CertificateType.AUTHENTICATION, csr)).statusCode(409)
                .body("type", equalTo("urn:inkan:problem:key-reused"));
        post(Requests.typical(CertificateType.SIGNATURE, csr)).statusCode(409);
        assertEquals(after, store.total());
    }

    @Test
    void csrWhoseSignatureDoesNotVerifyIsNoProofOfPossession() {
        String pem = Csrs.freshRsa();
        byte[] der = java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        der[der.length - 10] ^= 0x01; // flip a bit in the signature
        String tampered = java.util.Base64.getEncoder().encodeToString(der);
        post(Requests.typical(CertificateType.AUTHENTICATION, tampered)).statusCode(400)
                .body("violations.find { it.field == 'csr' }.message", containsString("does not verify"));
    }

    // ---- request ids: a repeat gets the first certificate, never a second one -----------------

    @Test
    void repeatedRequestIdAnswersWithTheFirstCertificate() {
        IssuanceRequest request = Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa());
        long before = store.total();
        var first = post(request).statusCode(201).extract().jsonPath();
        var again = post(request).statusCode(201).extract().jsonPath();
        assertEquals(first.getString("serial"), again.getString("serial"));
        assertEquals(first.getString("pem"), again.getString("pem"));
        assertEquals(before + 1, store.total());
    }

    @Test
    void requestIdOfAnotherRequestIsAConflict() {
        IssuanceRequest first = Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa());
        post(first).statusCode(201);
        IssuanceRequest other = Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa());
        IssuanceRequest sameId = new IssuanceRequest(first.requestId(), other.type(), other.csr(),
                other.municipalityCode(), other.counterId(), other.cardSerial(), other.cardExpiry(), other.holder(), null);
        long before = store.total();
        post(sameId).statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:request-id-reused"));
        assertEquals(before, store.total());
    }

    // ---- who may call: mutual TLS, registration-service only ------------------------------------

    @Test
    void onlyTheRegistrationServiceMayCall() {
        IssuanceRequest request = Requests.typical(CertificateType.AUTHENTICATION, Csrs.freshRsa());
        long before = store.total();
        // a certificate from the same service CA, but not an allowed client
        Api.as("ocsp-responder").contentType(ContentType.JSON).body(request).post("/internal/v1/certificates").then()
                .statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:client-not-allowed"));
        Api.as("ocsp-responder").get("/internal/v1/cas/signature/certificates/1").then().statusCode(403);
        assertEquals(before, store.total());
    }

    @Test
    void withoutAClientCertificateTheHandshakeFails() {
        org.junit.jupiter.api.Assertions.assertThrows(javax.net.ssl.SSLException.class,
                () -> Api.as(null).get("/internal/v1/cas"));
        // a municipality's certificate is from another CA: refused in the handshake too
        org.junit.jupiter.api.Assertions.assertThrows(javax.net.ssl.SSLException.class,
                () -> Api.as("municipalities/131016").get("/internal/v1/cas"));
    }

    // ---- input -------------------------------------------------------------------------------

    @Test
    void everyBadFieldIsListedAndNothingIsStored() {
        long before = store.total();
        Holder holder = new Holder("山田太郎", "01", "1990-13-01", 7, "x".repeat(201), null, false);
        IssuanceRequest request = new IssuanceRequest("no spaces!", CertificateType.SIGNATURE, "not a csr", "131017",
                "A-01!", "", "2020-01-01", holder, "zz");
        post(request).statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:invalid-request"))
                .body("violations.field", hasItems("requestId", "csr", "municipalityCode", "counterId", "cardSerial", "cardExpiry",
                        "renewsSerial", "holder.name", "holder.nameSubstitutionFlags", "holder.dateOfBirth",
                        "holder.sex", "holder.address"))
                .body("detail", not(containsString("Exception")));
        assertEquals(before, store.total());
    }

    @Test
    void unknownMunicipalityIsRefused() {
        IssuanceRequest typical = Requests.typical(CertificateType.SIGNATURE, Csrs.freshRsa());
        IssuanceRequest hachioji = new IssuanceRequest(Requests.newRequestId(), typical.type(), typical.csr(), "132012",
                typical.counterId(), typical.cardSerial(), typical.cardExpiry(), typical.holder(), null);
        post(hachioji).statusCode(400)
                .body("violations[0].field", equalTo("municipalityCode"))
                .body("violations[0].message", containsString("not a municipality this CA issues for"));
    }

    @Test
    void transportErrorsAreProblemDetailsToo() {
        given().contentType(ContentType.TEXT).body("hello").post("/internal/v1/certificates").then()
                .statusCode(415).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"type\": \"SIGNATURE\", ").post("/internal/v1/certificates")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:malformed-body"));
        given().contentType(ContentType.JSON).body("{\"type\": \"PASSPORT\"}").post("/internal/v1/certificates")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", not(containsString("jp.inkan")));
        given().get("/internal/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
        given().get("/internal/v1/cas/passport/certificates/01").then().statusCode(404)
                .contentType("application/problem+json");
        String huge = "{\"csr\": \"" + "A".repeat(70 * 1024) + "\"}";
        given().contentType(ContentType.JSON).body(huge).post("/internal/v1/certificates").then().statusCode(413);
    }

    @Test
    void anIssuedCertificateCanBeReadBack() {
        ValidatableResponse issued = post(Requests.typical(CertificateType.SIGNATURE, Csrs.freshRsa())).statusCode(201);
        String serial = issued.extract().jsonPath().getString("serial");
        String location = issued.extract().header("Location");
        given().get(location).then().statusCode(200).body("serial", equalTo(serial))
                .body("keyGeneration", equalTo(1))
                .body("certificatePem", equalTo(issued.extract().jsonPath().getString("certificatePem")));
    }
}
