package jp.inkan.ocsp.testing;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.Mtls;
import jp.inkan.testing.Pem;

/** The real ca-service as registration-service calls it: issue, revoke, hold. */
public final class CaClient {

    public static final String MUNICIPALITY = "131016";
    private static final String ADDRESS = "東京都千代田区千代田１－１";
    private static final AtomicInteger CARDS = new AtomicInteger();

    private CaClient() {
    }

    public record Issued(CertificateType type, String serial, int keyGeneration, X509Certificate certificate, String pem) {
    }

    public static Issued issue(CertificateType type) {
        return issue(type, Csrs.freshRsa());
    }

    public static Issued issue(CertificateType type, String csr) {
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Tokyo"));
        IssuanceRequest.Holder holder = new IssuanceRequest.Holder("山田\u3000太郎", "00000",
                today.minusYears(40).minusDays(100).toString(), 1, ADDRESS,
                "0".repeat(ADDRESS.codePointCount(0, ADDRESS.length())), false);
        IssuanceRequest request = new IssuanceRequest("ocsp-test-" + UUID.randomUUID(), type, csr, MUNICIPALITY, "A01",
                "CARD" + System.nanoTime() + CARDS.incrementAndGet(), today.plusYears(10).toString(), holder, null);
        JsonPath issued = Mtls.given(CaServiceProcess.port(), "registration-service").contentType(ContentType.JSON)
                .body(request).post("/internal/v1/certificates").then().statusCode(201).extract().jsonPath();
        String pem = issued.getString("certificatePem");
        return new Issued(type, issued.getString("serial"), issued.getInt("keyGeneration"), Pem.certificate(pem), pem);
    }

    /** Revokes; returns ca-service's view (status, revokedAt, reason). */
    public static JsonPath revoke(Issued certificate, String reason) {
        return revoke(certificate.type(), certificate.serial(), reason);
    }

    /** Revokes, saying since when the key is unusable (the revocation request's invalidityDate). */
    public static JsonPath revoke(Issued certificate, String reason, Instant invalidityDate) {
        return revoke(certificate.type(), certificate.serial(), Map.of("municipalityCode", MUNICIPALITY, "reason", reason,
                "invalidityDate", invalidityDate.toString()));
    }

    public static JsonPath revoke(CertificateType type, String serial, String reason) {
        return revoke(type, serial, Map.of("municipalityCode", MUNICIPALITY, "reason", reason));
    }

    private static JsonPath revoke(CertificateType type, String serial, Map<String, String> body) {
        return Mtls.given(CaServiceProcess.port(), "registration-service").contentType(ContentType.JSON)
                .body(body)
                .post("/internal/v1/cas/" + type.name().toLowerCase(Locale.ROOT) + "/certificates/" + serial + "/revocation")
                .then().statusCode(200).extract().jsonPath();
    }

    public static JsonPath hold(Issued certificate) {
        return Mtls.given(CaServiceProcess.port(), "registration-service").contentType(ContentType.JSON)
                .body(Map.of("municipalityCode", MUNICIPALITY))
                .post("/internal/v1/cas/" + certificate.type().name().toLowerCase(Locale.ROOT) + "/certificates/"
                        + certificate.serial() + "/hold")
                .then().statusCode(200).extract().jsonPath();
    }

    /** Every generation's root of a CA, PEM. */
    public static String roots(CertificateType type) {
        return Mtls.given(CaServiceProcess.port(), "ocsp-responder")
                .get("/internal/v1/cas/" + type.name().toLowerCase(Locale.ROOT) + "/roots.pem").then().statusCode(200)
                .extract().asString();
    }

    /** The root whose key signed {@code certificate}. */
    public static X509Certificate issuerOf(X509Certificate certificate) {
        for (X509Certificate root : Pem.certificates(roots(
                certificate.getIssuerX500Principal().getName().contains("signature") ? CertificateType.SIGNATURE
                        : CertificateType.AUTHENTICATION))) {
            try {
                certificate.verify(root.getPublicKey());
                return root;
            } catch (Exception e) {
                // another generation
            }
        }
        throw new IllegalStateException("no root verifies " + certificate.getSubjectX500Principal());
    }
}
