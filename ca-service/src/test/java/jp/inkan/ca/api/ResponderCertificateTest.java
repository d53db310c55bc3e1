package jp.inkan.ca.api;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import jp.inkan.ca.testing.Api;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.Pem;
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.Test;

/** Delegated OCSP responder certificates, checked by openssl as a relying party would. */
@QuarkusTest
class ResponderCertificateTest {

    static final String OCSP_RESPONDER = "ocsp-responder";

    static io.restassured.response.ValidatableResponse request(String identity, Object body) {
        return Api.as(identity).contentType(ContentType.JSON).body(body).post("/internal/v1/responder-certificates").then();
    }

    @Test
    void responderCertificateIsForOcspSigningOnlyAndShortLived() throws Exception {
        KeyPair key = Csrs.ecP256();
        JsonPath issued = request(OCSP_RESPONDER, Map.of("ca", "SIGNATURE", "keyGeneration", 1, "csrPem", Csrs.pem(key)))
                .statusCode(201).body("ca", equalTo("SIGNATURE")).body("keyGeneration", equalTo(1))
                .extract().jsonPath();
        X509Certificate certificate = Pem.certificate(issued.getString("certificatePem"));
        assertEquals(key.getPublic(), certificate.getPublicKey());
        assertTrue(certificate.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.9"), "id-kp-OCSPSigning");
        assertTrue(certificate.getNonCriticalExtensionOIDs().contains("1.3.6.1.5.5.7.48.1.5"), "id-pkix-ocsp-nocheck");
        Duration life = Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
        assertTrue(life.compareTo(Duration.ofDays(8)) < 0, "short validity, was " + life);
        assertTrue(certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(6))));

        Path dir = TempDirs.create("responder");
        Path cert = Pem.write(dir, "responder.pem", issued.getString("certificatePem"));
        Path root = Pem.write(dir, "root.pem", issued.getString("issuerCertificatePem"));
        ExternalTool.Result verify = ExternalTool.run("openssl", "verify", "-x509_strict", "-purpose", "ocsphelper",
                "-CAfile", root.toString(), cert.toString());
        assertEquals(0, verify.exitCode(), verify.output());
        ExternalTool.Result text = ExternalTool.run("openssl", "x509", "-in", cert.toString(), "-noout", "-text");
        assertTrue(text.output().contains("OCSP Signing"), text.output());
        assertTrue(text.output().contains("OCSP No Check"), text.output());
        assertTrue(text.output().contains("CN=OCSP Responder signature G01")
                || text.output().contains("CN = OCSP Responder signature G01"), text.output());

        // Renewal: the same key again gets a new certificate with a new serial.
        String again = request(OCSP_RESPONDER, Map.of("ca", "SIGNATURE", "keyGeneration", 1, "csrPem", Csrs.pem(key)))
                .statusCode(201).extract().jsonPath().getString("serial");
        assertNotEquals(issued.getString("serial"), again);
    }

    @Test
    void onlyTheResponderAsksAndBadRequestsListEveryField() {
        KeyPair key = Csrs.ecP256();
        request(Api.REGISTRATION, Map.of("ca", "SIGNATURE", "keyGeneration", 1, "csrPem", Csrs.pem(key)))
                .statusCode(403);
        request(OCSP_RESPONDER, Map.of("keyGeneration", 0, "csrPem", "not a csr"))
                .statusCode(400).body("violations.field", hasItems("ca", "keyGeneration", "csrPem"));
        request(OCSP_RESPONDER, Map.of("ca", "AUTHENTICATION", "keyGeneration", 42, "csrPem", Csrs.pem(key)))
                .statusCode(404);
    }
}
