package jp.inkan.crl.testing;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import jp.inkan.common.CertificateType;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.Mtls;

/** The real ca-service process, called over mTLS as registration-service (issue, revoke, hold) or another client. */
public final class Ca {

    public record Issued(CertificateType type, String serial, String pem, int generation) {
    }

    private Ca() {
    }

    public static RequestSpecification as(String client) {
        return Mtls.given(CaServiceProcess.port(), client);
    }

    public static Issued issue(CertificateType type, String municipality) {
        LocalDate today = LocalDate.now(ZoneId.of("Asia/Tokyo"));
        String address = "東京都千代田区千代田１－１";
        Map<String, Object> holder = new HashMap<>();
        holder.put("name", "山田\u3000太郎");
        holder.put("nameSubstitutionFlags", "00000");
        holder.put("dateOfBirth", today.minusYears(40).minusDays(100).toString());
        holder.put("sex", 1);
        holder.put("address", address);
        holder.put("addressSubstitutionFlags", "0".repeat(address.codePointCount(0, address.length())));
        holder.put("adultWard", false);
        Map<String, Object> body = new HashMap<>();
        body.put("requestId", "crl-test-" + UUID.randomUUID());
        body.put("type", type.name());
        body.put("csr", Csrs.freshRsa());
        body.put("municipalityCode", municipality);
        body.put("counterId", "A01");
        body.put("cardSerial", "CARD" + System.nanoTime());
        body.put("cardExpiry", today.plusYears(10).toString());
        body.put("holder", holder);
        JsonPath issued = as("registration-service").contentType(ContentType.JSON).body(body)
                .post("/internal/v1/certificates").then().statusCode(201).extract().jsonPath();
        return new Issued(type, issued.getString("serial"), issued.getString("certificatePem"), issued.getInt("keyGeneration"));
    }

    public static void revoke(Issued certificate, String municipality, String reason, Instant invalidityDate) {
        Map<String, Object> body = new HashMap<>();
        body.put("municipalityCode", municipality);
        body.put("reason", reason);
        body.put("invalidityDate", invalidityDate == null ? null : invalidityDate.toString());
        as("registration-service").contentType(ContentType.JSON).body(body)
                .post("/internal/v1/cas/" + path(certificate.type()) + "/certificates/" + certificate.serial() + "/revocation")
                .then().statusCode(200);
    }

    public static void hold(Issued certificate, String municipality) {
        as("registration-service").contentType(ContentType.JSON).body(Map.of("municipalityCode", municipality))
                .post("/internal/v1/cas/" + path(certificate.type()) + "/certificates/" + certificate.serial() + "/hold")
                .then().statusCode(200);
    }

    /** Every generation's root of {@code type}, PEM. */
    public static String roots(CertificateType type) {
        return as("crl-publisher").get("/internal/v1/cas/" + path(type) + "/roots.pem").then().statusCode(200)
                .extract().asString();
    }

    public static List<Map<String, Object>> generations() {
        return as("crl-publisher").get("/internal/v1/cas").then().statusCode(200).extract().jsonPath().getList("$");
    }

    public static String path(CertificateType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }
}
