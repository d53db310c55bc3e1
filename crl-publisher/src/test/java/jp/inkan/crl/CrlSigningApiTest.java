package jp.inkan.crl;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import jp.inkan.common.CertificateType;
import jp.inkan.crl.der.TbsCertList;
import jp.inkan.crl.testing.Ca;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.testing.Pem;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;

/** ca-service's CRL signing endpoint, called directly: who may call it and what content it refuses. */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class CrlSigningApiTest {

    static final String SIGN = "/internal/v1/cas/signature/generations/1/crls";

    record Root(X509CertificateHolder holder, java.security.cert.X509Certificate certificate, byte[] keyId) {
    }

    static Root root(String ca) throws Exception {
        Map<String, Object> g = Ca.generations().stream().filter(x -> ca.equals(x.get("ca")) && ((Integer) x.get("generation")) == 1)
                .findFirst().orElseThrow();
        java.security.cert.X509Certificate certificate = Pem.certificate((String) g.get("certificatePem"));
        return new Root(new X509CertificateHolder(certificate.getEncoded()), certificate,
                HexFormat.of().parseHex((String) g.get("subjectKeyIdentifier")));
    }

    /** A TBSCertList with one entry, as the publisher would build it, with parts to spoil. */
    static byte[] tbs(Root issuerOf, byte[] keyId, BigInteger number, Instant thisUpdate, String serial) throws Exception {
        Path spill = Files.createTempFile("tbs", ".entries");
        try (TbsCertList tbs = new TbsCertList(spill)) {
            tbs.entry(serial, thisUpdate.getEpochSecond() - 60, 1, null);
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId));
            extensions.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            tbs.finish(issuerOf.holder().getSignatureAlgorithm().getEncoded(ASN1Encoding.DER),
                    issuerOf.holder().getSubject().getEncoded(ASN1Encoding.DER), thisUpdate.getEpochSecond(),
                    thisUpdate.getEpochSecond() + 86400, extensions.generate().getEncoded(ASN1Encoding.DER));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = tbs.open()) {
                in.transferTo(out);
            }
            return out.toByteArray();
        }
    }

    static ValidatableResponse sign(String client, String path, byte[] body) {
        return Ca.as(client).contentType("application/octet-stream").body(body).post(path).then();
    }

    @Test
    void onlyCrlPublisherMaySign() throws Exception {
        Root signature = root("SIGNATURE");
        byte[] body = tbs(signature, signature.keyId(), BigInteger.valueOf(900_001), Instant.now(), "1234");
        for (String other : List.of("registration-service", "ocsp-responder")) {
            sign(other, SIGN, body).statusCode(403).contentType("application/problem+json")
                    .body("type", equalTo("urn:inkan:problem:client-not-allowed"));
        }
        Ca.as("registration-service").get("/internal/v1/cas/signature/generations/1/crl-distribution-points")
                .then().statusCode(403);
        String signatureBase64 = sign("crl-publisher", SIGN, body).statusCode(200)
                .body("crlNumber", equalTo("900001")).body("entries", equalTo(1))
                .extract().jsonPath().getString("signature");
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(signature.certificate().getPublicKey());
        verifier.update(body);
        assertEquals(true, verifier.verify(java.util.Base64.getDecoder().decode(signatureBase64)), "the HSM's signature over the streamed TBSCertList verifies");
    }

    @Test
    void contentOfAnotherIssuerOrKeyOrTimeIsRefused() throws Exception {
        Root signature = root("SIGNATURE");
        Root authentication = root("AUTHENTICATION");
        // Built for the authentication CA, sent to the signature CA's generation: the issuer differs.
        sign("crl-publisher", SIGN, tbs(authentication, authentication.keyId(), BigInteger.valueOf(900_010), Instant.now(), "1"))
                .statusCode(422).body("type", equalTo("urn:inkan:problem:crl-refused"));
        // The right issuer name but another generation's key identifier.
        sign("crl-publisher", SIGN, tbs(signature, authentication.keyId(), BigInteger.valueOf(900_011), Instant.now(), "1"))
                .statusCode(422).body("type", equalTo("urn:inkan:problem:crl-refused"));
        // thisUpdate a day ago.
        sign("crl-publisher", SIGN, tbs(signature, signature.keyId(), BigInteger.valueOf(900_012),
                Instant.now().minusSeconds(86400), "1")).statusCode(422);
        // Version 1 (no version field) and garbage.
        byte[] good = tbs(signature, signature.keyId(), BigInteger.valueOf(900_013), Instant.now(), "1");
        byte[] v1 = good.clone();
        v1[v1[1] < 0 ? 2 + (v1[1] & 0x7f) + 2 : 4] = 0x00; // INTEGER 1 -> 0
        sign("crl-publisher", SIGN, v1).statusCode(422);
        sign("crl-publisher", SIGN, new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}).statusCode(422);
        // A generation that does not exist.
        sign("crl-publisher", "/internal/v1/cas/signature/generations/42/crls", good).statusCode(404);
    }

    @Test
    void oneNumberIsSignedForOneContentOnly() throws Exception {
        Root signature = root("SIGNATURE");
        Instant now = Instant.now();
        byte[] first = tbs(signature, signature.keyId(), BigInteger.valueOf(900_100), now, "abcd");
        sign("crl-publisher", SIGN, first).statusCode(200);
        sign("crl-publisher", SIGN, first).statusCode(200); // a retry of the same content
        byte[] other = tbs(signature, signature.keyId(), BigInteger.valueOf(900_100), now, "abce");
        sign("crl-publisher", SIGN, other).statusCode(409).body("type", equalTo("urn:inkan:problem:crl-number-reused"));
    }
}
