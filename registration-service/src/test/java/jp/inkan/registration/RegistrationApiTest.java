package jp.inkan.registration;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jp.inkan.registration.municipality.Municipalities;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.LocalEnv;
import jp.inkan.testing.Mtls;
import jp.inkan.testing.Pem;
import jp.inkan.testing.Prometheus;
import jp.inkan.testing.TempDirs;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The municipality-facing API end to end: mTLS, real ca-service process, PostgreSQL, SoftHSM2. */
@QuarkusTest
class RegistrationApiTest {

    static final LocalDate TODAY = LocalDate.now(ZoneId.of("Asia/Tokyo"));
    static final String CHIYODA = "131016";
    static final String SHINJUKU = "131041";
    static final String NAME = "山田\u3000花子";
    static final String ADDRESS = "東京都千代田区千代田１－１";

    @Inject
    Municipalities municipalities;
    @Inject
    AgroalDataSource db;

    @BeforeEach
    void registerMunicipalities() throws Exception {
        for (String line : Files.readAllLines(LocalEnv.pkiDir().resolve("municipalities/registry.txt"))) {
            String[] f = line.split("\\|");
            String code = f[0].strip();
            if (!code.equals("272035")) { // its certificate exists, but it is never registered
                municipalities.register(code, f[1].strip(), f[2].replaceAll("#.*", "").strip(),
                        certificate(LocalEnv.pkiDir().resolve("municipalities/" + code + ".pem")));
            }
        }
    }

    static RequestSpecification as(String municipality) {
        return Mtls.given(ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class),
                municipality == null ? null : "municipalities/" + municipality);
    }

    static Map<String, Object> application(String residentRecordCode, LocalDate dateOfBirth, boolean adultWard,
                                           boolean signature) {
        Map<String, Object> holder = new HashMap<>();
        holder.put("name", NAME);
        holder.put("nameSubstitutionFlags", "00100");
        holder.put("dateOfBirth", dateOfBirth.toString());
        holder.put("sex", 2);
        holder.put("address", ADDRESS);
        holder.put("adultWard", adultWard);
        Map<String, Object> csrs = new HashMap<>();
        csrs.put("authentication", Csrs.freshRsa());
        if (signature) {
            csrs.put("signature", Csrs.freshRsa());
        }
        Map<String, Object> body = new HashMap<>();
        body.put("residentRecordCode", residentRecordCode);
        body.put("holder", holder);
        body.put("cardSerial", "CARD" + System.nanoTime());
        body.put("cardExpiry", TODAY.plusYears(10).toString());
        body.put("counterId", "W01");
        body.put("identityDocument", "MY_NUMBER_CARD");
        body.put("csrs", csrs);
        return body;
    }

    static Map<String, Object> adultApplication() {
        return application(newResidentCode(), TODAY.minusYears(40), false, true);
    }

    static String newResidentCode() {
        return String.format("%011d", Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 100_000_000_000L));
    }

    static ValidatableResponse submit(String municipality, String key, Object body) {
        return as(municipality).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/v1/applications").then();
    }

    // ---- happy path -------------------------------------------------------------------------

    @Test
    void anApplicationYieldsBothCertificatesThatOpensslVerifiesAgainstTheRoots() throws Exception {
        Map<String, Object> body = adultApplication();
        JsonPath result = submit(CHIYODA, UUID.randomUUID().toString(), body).statusCode(201)
                .header("Location", containsString("/api/v1/applications/"))
                .body("municipalityCode", equalTo(CHIYODA)).body("status", equalTo("COMPLETED"))
                .body("certificates.type", hasItems("SIGNATURE", "AUTHENTICATION"))
                .extract().jsonPath();
        Path dir = TempDirs.create("registration-happy");
        for (String ca : List.of("signature", "authentication")) {
            String roots = Mtls.given(CaServiceProcess.port(), "registration-service")
                    .get("/internal/v1/cas/" + ca + "/roots.pem").then().statusCode(200).extract().asString();
            Path rootFile = Pem.write(dir, ca + "-roots.pem", roots);
            String pem = result.getString("certificates.find { it.type == '" + ca.toUpperCase() + "' }.pem");
            Path leaf = Pem.write(dir, ca + ".pem", pem);
            ExternalTool.Result verify = ExternalTool.run("openssl", "verify", "-x509_strict", "-CAfile",
                    rootFile.toString(), leaf.toString());
            assertEquals(0, verify.exitCode(), verify.output());
            X509Certificate certificate = Pem.certificate(pem);
            String serial = result.getString("certificates.find { it.type == '" + ca.toUpperCase() + "' }.serial");
            assertEquals(certificate.getSerialNumber().toString(16), serial);
        }
        String id = result.getString("applicationId");
        as(CHIYODA).get("/api/v1/applications/" + id).then().statusCode(200)
                .body("certificates", hasSize(2)).body("applicationId", equalTo(id));
        as(CHIYODA).queryParam("residentRecordCode", body.get("residentRecordCode")).get("/api/v1/certificates")
                .then().statusCode(200).body("applications.applicationId", hasItems(id));
        // the resident record code is stored only as a keyed hash
        assertEquals(0, count("select count(*) from application where encode(resident_hash, 'escape') like '%"
                + body.get("residentRecordCode") + "%'"));
        assertEquals(1, count("select count(*) from audit_event where application_id = '" + id
                + "' and outcome = 'ACCEPTED' and action = 'SUBMIT_APPLICATION'"));
    }

    // ---- idempotency ------------------------------------------------------------------------

    @Test
    void sameKeyAndBodyReturnsTheSameResultAndADifferentBodyConflicts() throws Exception {
        Map<String, Object> body = adultApplication();
        String key = UUID.randomUUID().toString();
        JsonPath first = submit(CHIYODA, key, body).statusCode(201).extract().jsonPath();
        JsonPath again = submit(CHIYODA, key, body).statusCode(201).extract().jsonPath();
        assertEquals(first.getString("applicationId"), again.getString("applicationId"));
        assertEquals(first.getList("certificates.serial"), again.getList("certificates.serial"));
        assertEquals(2, caCertificatesFor(first.getString("applicationId")));

        Map<String, Object> other = new HashMap<>(body);
        other.put("counterId", "W02");
        submit(CHIYODA, key, other).statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:idempotency-key-reused"));
        assertEquals(2, caCertificatesFor(first.getString("applicationId")));
        // the same key at another municipality is another application
        submit(SHINJUKU, key, adultApplication()).statusCode(201);
    }

    @Test
    void concurrentIdenticalSubmissionsIssueOnce() throws Exception {
        Map<String, Object> body = adultApplication();
        String key = UUID.randomUUID().toString();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<JsonPath>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Callable<JsonPath> call = () -> submit(CHIYODA, key, body).statusCode(201).extract().jsonPath();
                results.add(pool.submit(call));
            }
            Set<String> ids = new HashSet<>();
            Set<List<Object>> serials = new HashSet<>();
            for (Future<JsonPath> result : results) {
                ids.add(result.get().getString("applicationId"));
                serials.add(result.get().getList("certificates.serial"));
            }
            assertEquals(1, ids.size());
            assertEquals(1, serials.size());
            assertEquals(2, caCertificatesFor(ids.iterator().next()));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- isolation --------------------------------------------------------------------------

    @Test
    void aMunicipalitySeesOnlyItsOwnResidents() {
        Map<String, Object> body = adultApplication();
        String id = submit(CHIYODA, UUID.randomUUID().toString(), body).statusCode(201)
                .extract().jsonPath().getString("applicationId");
        as(SHINJUKU).get("/api/v1/applications/" + id).then().statusCode(404)
                .contentType("application/problem+json");
        as(SHINJUKU).queryParam("residentRecordCode", body.get("residentRecordCode")).get("/api/v1/certificates")
                .then().statusCode(200).body("applications", hasSize(0));
        as(CHIYODA).get("/api/v1/applications/" + UUID.randomUUID()).then().statusCode(404);
    }

    // ---- who may call -----------------------------------------------------------------------

    @Test
    void unregisteredMunicipalitiesAndUnregisteredCertificatesAreRefusedBeforeAnyWork() throws Exception {
        long applications = count("select count(*) from application");
        submit("272035", UUID.randomUUID().toString(), adultApplication()).statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:municipality-not-registered"));
        // the right subject, but not the certificate registered for Chiyoda
        submit(CHIYODA + "-other-key", UUID.randomUUID().toString(), adultApplication()).statusCode(403);
        assertEquals(applications, count("select count(*) from application"));
        assertTrue(count("select count(*) from audit_event where action = 'AUTHENTICATE' and outcome = 'REFUSED'") >= 2);
        // no client certificate, or one from another CA: the handshake fails
        assertThrows(javax.net.ssl.SSLException.class, () -> as(null).get("/api/v1/certificates"));
        assertThrows(javax.net.ssl.SSLException.class, () -> Mtls.given(
                ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class), "registration-service")
                .get("/api/v1/certificates"));
    }

    // ---- validation -------------------------------------------------------------------------

    @Test
    void everyBadFieldIsListedAndNothingIsStored() throws Exception {
        long applications = count("select count(*) from application");
        long refusals = count("select count(*) from audit_event where outcome = 'REFUSED'");
        Map<String, Object> body = adultApplication();
        body.put("residentRecordCode", "12345");
        body.put("cardSerial", "");
        body.put("cardExpiry", "2001-01-01");
        body.put("counterId", "way too long id");
        body.put("identityDocument", null);
        @SuppressWarnings("unchecked")
        Map<String, Object> holder = (Map<String, Object>) body.get("holder");
        holder.put("name", "山田花子");
        holder.put("sex", 9);
        holder.put("dateOfBirth", "1990-02-30");
        holder.put("address", "x".repeat(201));
        body.put("csrs", Map.of("signature", "garbage", "authentication", Csrs.freshRsa()));
        submit(CHIYODA, UUID.randomUUID().toString(), body).statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:inkan:problem:invalid-request"))
                .body("violations.field", hasItems("residentRecordCode", "cardSerial", "cardExpiry", "counterId",
                        "identityDocument", "holder.name", "holder.sex", "holder.dateOfBirth", "holder.address",
                        "csrs.signature"));
        submit(CHIYODA, "", adultApplication()).statusCode(400).body("violations.field", hasItems("Idempotency-Key"));
        assertEquals(applications, count("select count(*) from application"));
        assertEquals(refusals + 2, count("select count(*) from audit_event where outcome = 'REFUSED'"));
    }

    @Test
    void noSignatureCertificateForUnder15sOrAdultWards() {
        Map<String, Object> child = application(newResidentCode(), TODAY.minusYears(15).plusDays(1), false, true);
        submit(CHIYODA, UUID.randomUUID().toString(), child).statusCode(400)
                .body("violations.field", hasItems("csrs.signature"))
                .body("violations.message", hasItems(containsString("under 15")));
        Map<String, Object> ward = application(newResidentCode(), TODAY.minusYears(50), true, true);
        submit(CHIYODA, UUID.randomUUID().toString(), ward).statusCode(400)
                .body("violations.message", hasItems(containsString("adult ward")));
        // the authentication certificate alone is fine for both
        submit(CHIYODA, UUID.randomUUID().toString(),
                application(newResidentCode(), TODAY.minusYears(15).plusDays(1), false, false))
                .statusCode(201).body("certificates.type", equalTo(List.of("AUTHENTICATION")));
    }

    @Test
    void wrongContentTypeAndOversizedBodiesAreProblems() {
        as(CHIYODA).contentType(ContentType.TEXT).header("Idempotency-Key", "k1").body("hello")
                .post("/api/v1/applications").then().statusCode(415).contentType("application/problem+json");
        as(CHIYODA).contentType(ContentType.JSON).header("Idempotency-Key", "k2").body("{\"x\":\"" + "a".repeat(70_000) + "\"}")
                .post("/api/v1/applications").then().statusCode(413);
        as(CHIYODA).contentType(ContentType.JSON).header("Idempotency-Key", "k3").body("{not json")
                .post("/api/v1/applications").then().statusCode(400).contentType("application/problem+json");
    }

    // ---- ca-service outage ------------------------------------------------------------------

    @Test
    void whenCaServiceIsDownTheRequestFailsClearlyAndARetryCompletesItExactlyOnce() throws Exception {
        Map<String, Object> body = adultApplication();
        String key = UUID.randomUUID().toString();
        CaServiceProcess.stop();
        try {
            submit(CHIYODA, key, body).statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", equalTo("5"))
                    .body("type", equalTo("urn:inkan:problem:ca-unavailable"));
        } finally {
            CaServiceProcess.start();
        }
        String id = submit(CHIYODA, key, body).statusCode(201).body("certificates", hasSize(2))
                .extract().jsonPath().getString("applicationId");
        assertEquals(2, caCertificatesFor(id));
        assertEquals(1, count("select count(*) from audit_event where application_id = '" + id
                + "' and outcome = 'FAILED'"));
    }

    // ---- audit and docs ---------------------------------------------------------------------

    @Test
    void theAuditTrailIsAppendOnly() throws Exception {
        submit(CHIYODA, UUID.randomUUID().toString(), adultApplication()).statusCode(201);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            SQLException update = assertThrows(SQLException.class, () -> s.executeUpdate("update audit_event set detail = 'x'"));
            assertTrue(update.getMessage().contains("append-only"), update.getMessage());
            assertThrows(SQLException.class, () -> s.executeUpdate("delete from audit_event"));
        }
    }

    @Test
    void theApiIsDocumentedWithOpenApi() {
        int management = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        io.restassured.RestAssured.given().baseUri("http://127.0.0.1").port(management).get("/q/openapi")
                .then().statusCode(200).body(containsString("/api/v1/applications"))
                .body(containsString("/api/v1/certificates"));
    }

    @Test
    void applicationsAndRevocationsMoveTheirMetersAndReadinessChecksTheDatabase() {
        int management = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        Map<String, String> accepted = Map.of("outcome", "accepted");
        Map<String, String> replayed = Map.of("outcome", "replayed");
        Map<String, String> signature = Map.of("type", "signature");
        Map<String, String> revoked = Map.of("action", "revoke-certificate", "outcome", "changed");
        Prometheus before = Prometheus.scrape(management);

        String key = UUID.randomUUID().toString();
        Map<String, Object> body = adultApplication();
        String serial = submit(CHIYODA, key, body).statusCode(201).extract().jsonPath()
                .getString("certificates.find { it.type == 'SIGNATURE' }.serial");
        submit(CHIYODA, key, body).statusCode(201);
        as(CHIYODA).contentType(ContentType.JSON).body(Map.of("reason", "keyCompromise"))
                .post("/api/v1/certificates/" + serial + "/revocation").then().statusCode(200);

        Prometheus after = Prometheus.scrape(management);
        assertEquals(before.value("inkan_registration_applications_seconds_count", accepted) + 1,
                after.value("inkan_registration_applications_seconds_count", accepted));
        assertEquals(before.value("inkan_registration_applications_seconds_count", replayed) + 1,
                after.value("inkan_registration_applications_seconds_count", replayed));
        assertEquals(before.value("inkan_registration_certificates_issued_total", signature) + 1,
                after.value("inkan_registration_certificates_issued_total", signature), "the replay issued nothing");
        assertEquals(before.value("inkan_registration_revocations_total", revoked) + 1,
                after.value("inkan_registration_revocations_total", revoked));

        io.restassured.RestAssured.given().baseUri("http://127.0.0.1").port(management).get("/q/health/ready")
                .then().statusCode(200).body(containsString("Database connections health check"));
    }

    // ---- helpers ----------------------------------------------------------------------------

    long count(String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Certificates ca-service holds for an application's request ids: never more than one per type. */
    static long caCertificatesFor(String applicationId) throws SQLException {
        return Long.parseLong(inCaDatabase("select count(*) from issued_certificate where request_id like '"
                + applicationId + ":%'").get(0));
    }

    /** The first column of each row a query finds in ca-service's (test) inventory, the record. */
    static List<String> inCaDatabase(String sql) throws SQLException {
        Map<String, String> e = LocalEnv.env();
        try (Connection c = DriverManager.getConnection(e.get("INKAN_CA_DB_TEST_URL"), e.get("INKAN_CA_DB_USER"),
                e.get("INKAN_CA_DB_PASSWORD"));
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                rows.add(r.getString(1));
            }
            return rows;
        }
    }

    static X509Certificate certificate(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
