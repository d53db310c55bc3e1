package jp.inkan.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import jp.inkan.common.CertificateType;
import jp.inkan.ocsp.testing.CaClient;
import jp.inkan.ocsp.testing.Http;
import jp.inkan.testing.CaServiceProcess;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.KafkaBroker;
import jp.inkan.testing.Mtls;
import jp.inkan.testing.OcspRequests;
import jp.inkan.testing.Pem;
import jp.inkan.testing.ResponderProcess;
import jp.inkan.testing.TempDirs;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A CA key rotation seen by a running responder: ca-service rotates the signature CA (dual control
 * through the operator API), the responder picks the new generation up from the CA list, gets a
 * responder certificate from the new key, and answers for certificates of both generations, each
 * answer signed by the responder certificate of the certificate's own generation.
 */
class ResponderRotationIT {

    static ResponderProcess responder;

    @BeforeAll
    static void start() {
        KafkaBroker broker = jp.inkan.ocsp.testing.Infrastructure.start();
        responder = new ResponderProcess("rotation", broker.bootstrapServers(),
                Map.of("inkan.ocsp.responder-certificates.check-interval", "PT2S",
                        "inkan.ocsp.ca-service.refresh-interval", "PT3S")).start()
                .awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (responder != null) {
            responder.stop();
        }
        CaServiceProcess.stop();
    }

    static SingleResp await(X509Certificate issuer, String serial, Predicate<SingleResp> condition,
                            X509Certificate expectedSignerIssuer) throws Exception {
        byte[] request = OcspRequests.request(issuer, new BigInteger(serial, 16));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "nothing";
        while (System.nanoTime() < deadline) {
            byte[] der = Http.post(responder.url(), request).body();
            if (OcspRequests.parse(der).getStatus() == 0) {
                BasicOCSPResp basic = OcspRequests.verified(der);
                X509Certificate signer = new JcaX509CertificateConverter().getCertificate(basic.getCerts()[0]);
                SingleResp single = basic.getResponses()[0];
                try {
                    signer.verify(expectedSignerIssuer.getPublicKey());
                    if (condition.test(single)) {
                        return single;
                    }
                    last = "status " + single.getCertStatus();
                } catch (java.security.GeneralSecurityException e) {
                    last = "signed by a responder certificate of another generation";
                }
            } else {
                last = "OCSP status " + OcspRequests.parse(der).getStatus();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no such answer within 30 s; last: " + last);
    }

    static long ask(String operator, Map<String, Object> body) {
        return Mtls.given(CaServiceProcess.port(), "operators/" + operator).contentType(ContentType.JSON).body(body)
                .post("/operator/v1/requests").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    @Test
    void bothGenerationsAreAnsweredEachByItsOwnResponderCertificate() throws Exception {
        CaClient.Issued oldGood = CaClient.issue(CertificateType.SIGNATURE);
        CaClient.Issued oldRevoked = CaClient.issue(CertificateType.SIGNATURE);
        X509Certificate oldRoot = CaClient.issuerOf(oldGood.certificate());

        Instant switchAt = Instant.now().plusSeconds(3);
        long id = ask("alice", Map.of("action", "ROTATE", "ca", "SIGNATURE", "switchAt", switchAt.toString()));
        Mtls.given(CaServiceProcess.port(), "operators/bob").post("/operator/v1/requests/" + id + "/approval")
                .then().statusCode(200);
        Mtls.given(CaServiceProcess.port(), "operators/bob").post("/operator/v1/requests/" + id + "/execution")
                .then().statusCode(200);
        while (Instant.now().isBefore(switchAt.plusMillis(500))) {
            Thread.sleep(100);
        }
        CaClient.Issued fresh = CaClient.issue(CertificateType.SIGNATURE);
        assertEquals(oldGood.keyGeneration() + 1, fresh.keyGeneration());
        X509Certificate newRoot = CaClient.issuerOf(fresh.certificate());
        assertTrue(!newRoot.equals(oldRoot) && newRoot.getSubjectX500Principal().equals(oldRoot.getSubjectX500Principal()));
        CaClient.revoke(oldRevoked, "keyCompromise");
        CaClient.Issued freshRevoked = CaClient.issue(CertificateType.SIGNATURE);
        CaClient.revoke(freshRevoked, "superseded");

        await(oldRoot, oldGood.serial(), r -> r.getCertStatus() == null, oldRoot);
        await(oldRoot, oldRevoked.serial(), r -> r.getCertStatus() instanceof RevokedStatus, oldRoot);
        await(newRoot, fresh.serial(), r -> r.getCertStatus() == null, newRoot);
        await(newRoot, freshRevoked.serial(), r -> r.getCertStatus() instanceof RevokedStatus, newRoot);

        // openssl, trusting only the new root: the old certificate's answer verifies too once the
        // link certificates are given (the old generation's responder certificate chains through OldWithNew).
        Path dir = TempDirs.create("ocsp-rotation");
        Path oldRootPem = Pem.write(dir, "old-root.pem", pem(oldRoot));
        Path newRootPem = Pem.write(dir, "new-root.pem", pem(newRoot));
        String links = Mtls.given(CaServiceProcess.port(), "ocsp-responder").get("/internal/v1/cas/signature/links.pem")
                .then().statusCode(200).extract().asString();
        Path linksPem = Pem.write(dir, "links.pem", links);
        for (CaClient.Issued issued : List.of(oldGood, fresh)) {
            X509Certificate issuer = issued == fresh ? newRoot : oldRoot;
            Path certPem = Pem.write(dir, issued.serial() + ".pem", issued.pem());
            ExternalTool.Result openssl = ExternalTool.run("openssl", "ocsp", "-issuer",
                    (issuer == newRoot ? newRootPem : oldRootPem).toString(), "-cert", certPem.toString(),
                    "-url", responder.url(), "-CAfile", newRootPem.toString(), "-verify_other", linksPem.toString(),
                    "-no_nonce");
            assertEquals(0, openssl.exitCode(), openssl.output());
            assertTrue(openssl.output().contains("Response verify OK"), openssl.output());
            assertTrue(openssl.output().contains(certPem + ": good"), openssl.output());
        }
    }

    static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
    }
}
