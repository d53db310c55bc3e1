package jp.inkan.ca.api;

import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import jp.inkan.ca.audit.AuditLog;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.inkan.ca.testing.Api;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.LocalEnv;
import jp.inkan.testing.Mtls;
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.Test;

/** Other services anchor their audit chain heads in ca-service's sealed chain; only they may. */
@QuarkusTest
class AuditAnchorTest {

    @Inject
    AgroalDataSource db;

    @Inject
    AuditLog audit;

    @Test
    void anAllowedServiceAnchorsItsChainHeadAndReadsItBackAndTheSealCoversIt() throws Exception {
        String hash = randomHash();
        long anchoredAs = anchor("crl-publisher", Map.of("chain", "main", "seq", 7, "entryHash", hash))
                .statusCode(200).body("chain", equalTo("main")).body("seq", equalTo(7)).body("entryHash", equalTo(hash))
                .body("anchoredAs", greaterThan(0)).extract().jsonPath().getLong("anchoredAs");
        // The same head again is the same anchor, not a second entry.
        anchor("crl-publisher", Map.of("chain", "main", "seq", 7, "entryHash", hash)).statusCode(200)
                .body("anchoredAs", equalTo((int) anchoredAs));
        List<Map<String, Object>> mine = Api.as("crl-publisher").get("/internal/v1/audit/anchors").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertTrue(mine.stream().anyMatch(a -> hash.equals(a.get("entryHash"))
                && ((Number) a.get("anchoredAs")).longValue() == anchoredAs), mine.toString());
        List<Map<String, Object>> others = Api.as("registration-service").get("/internal/v1/audit/anchors").then()
                .statusCode(200).extract().jsonPath().getList("$");
        assertTrue(others.stream().noneMatch(a -> hash.equals(a.get("entryHash"))), "another service's anchors are not listed");
        assertEquals(1, count("action = 'audit.anchor' and detail like ?", "% hash=" + hash));
        audit.seal();
        assertEquals(1, count("seq = ? and seq <= (select max(seq) from audit_seal)", anchoredAs),
                "the anchor entry is covered by a seal");
        AuditLog.Verification verification = audit.verify();
        assertTrue(verification.intact(), verification.breaks().toString());
    }

    @Test
    void anAnchorFromACertificateNotAllowedIsRefusedAndAudited() throws Exception {
        String hash = randomHash();
        long refusedBefore = count("action = 'client.refused' and subject = ?", "POST /internal/v1/audit/anchors");
        // A client certificate from the service CA that names no client of ca-service; operators may not anchor.
        for (String identity : List.of(stranger(), "operators/alice")) {
            anchor(identity, Map.of("chain", "main", "seq", 3, "entryHash", hash)).statusCode(403)
                    .body("type", endsWith("client-not-allowed"));
        }
        assertEquals(refusedBefore + 2, count("action = 'client.refused' and subject = ?", "POST /internal/v1/audit/anchors"));
        assertEquals(0, count("action = 'audit.anchor' and detail like ?", "% hash=" + hash));
        anchor("ocsp-responder", Map.of("chain", "Not a chain!", "seq", 0, "entryHash", "abc")).statusCode(400);
    }

    /** A client certificate signed by the service CA for a subject that is not in inkan.ca.api.clients. */
    private static String stranger() throws Exception {
        Path dir = TempDirs.create("stranger");
        Path pki = LocalEnv.pkiDir();
        String key = dir.resolve("stranger.key").toString();
        String csr = dir.resolve("stranger.csr").toString();
        String pem = dir.resolve("stranger.pem").toString();
        Path ext = Files.writeString(dir.resolve("ext.cnf"), "extendedKeyUsage=clientAuth\n");
        for (String[] command : List.of(
                new String[] {"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-subj", "/C=JP/O=Inkan DEV/CN=stranger-service", "-out", csr},
                new String[] {"openssl", "x509", "-req", "-in", csr, "-CA", pki.resolve("service-ca.pem").toString(),
                        "-CAkey", pki.resolve("service-ca.key").toString(), "-CAcreateserial", "-CAserial",
                        dir.resolve("serial").toString(), "-days", "1", "-extfile", ext.toString(), "-out", pem},
                new String[] {"openssl", "pkcs12", "-export", "-inkey", key, "-in", pem, "-passout",
                        "pass:" + Mtls.P12_PASSWORD, "-out", dir.resolve("stranger.p12").toString()})) {
            ExternalTool.Result result = ExternalTool.run(command);
            assertEquals(0, result.exitCode(), result.output());
        }
        return dir.resolve("stranger").toString();
    }

    private static io.restassured.response.ValidatableResponse anchor(String identity, Object body) {
        return Api.as(identity).contentType(ContentType.JSON).body(body).post("/internal/v1/audit/anchors").then();
    }

    private long count(String where, Object... parameters) throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement query = c.prepareStatement("select count(*) from audit_log where " + where)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static String randomHash() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
