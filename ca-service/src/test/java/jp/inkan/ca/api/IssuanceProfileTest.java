package jp.inkan.ca.api;

import static jp.inkan.ca.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.Pem;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.PolicyQualifierId;
import org.bouncycastle.asn1.x509.PolicyQualifierInfo;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issued certificates read as JPKI-FACTS describes them: parsed field by field with Bouncy
 * Castle, and accepted by OpenSSL, GnuTLS and Java's PKIX validator against the roots.
 */
@QuarkusTest
class IssuanceProfileTest {

    static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");

    @TempDir
    static Path dir;
    static X509Certificate signatureRoot;
    static X509Certificate authenticationRoot;
    static X509Certificate signature;
    static X509Certificate authentication;
    static LocalDate dateOfBirth;

    @BeforeEach
    void issueBothOnce() {
        if (signature != null) {
            return;
        }
        LocalDate today = LocalDate.now(JAPAN);
        dateOfBirth = today.minusYears(40).plusDays(10); // birthday in 10 days
        IssuanceRequest.Holder holder = Requests.adult(dateOfBirth);
        String card = Requests.newCardSerial();
        authentication = issue(Requests.request(CertificateType.AUTHENTICATION, Csrs.freshRsa(), holder,
                today.plusYears(10), card));
        signature = issue(Requests.request(CertificateType.SIGNATURE, Csrs.freshRsa(), holder,
                today.plusYears(10), card));
        signatureRoot = Pem.certificate(given().get("/internal/v1/cas/signature/roots.pem").then().statusCode(200)
                .extract().asString());
        authenticationRoot = Pem.certificate(given().get("/internal/v1/cas/authentication/roots.pem").then()
                .statusCode(200).extract().asString());
    }

    static X509Certificate issue(IssuanceRequest request) {
        JsonPath json = given().contentType(ContentType.JSON).body(request).post("/internal/v1/certificates")
                .then().statusCode(201).contentType(ContentType.JSON).extract().jsonPath();
        X509Certificate certificate = Pem.certificate(json.getString("certificatePem"));
        assertEquals(certificate.getSerialNumber().toString(16), json.getString("serial"));
        return certificate;
    }

    @Test
    void signatureCertificateCarriesTheJpkiProfile() throws Exception {
        X509CertificateHolder holder = new X509CertificateHolder(signature.getEncoded());
        assertEquals(3, holder.getVersionNumber());
        assertEquals("SHA256withRSA", signature.getSigAlgName());
        assertArrayEquals(signatureRoot.getSubjectX500Principal().getEncoded(),
                signature.getIssuerX500Principal().getEncoded());
        String subject = holder.getSubject().toString();
        assertTrue(subject.matches("C=JP,L=東京都,L=千代田区,CN=\\d{19}A01"), subject);

        KeyUsage keyUsage = KeyUsage.fromExtensions(holder.getExtensions());
        assertTrue(holder.getExtension(Extension.keyUsage).isCritical());
        assertTrue(keyUsage.hasUsages(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
        assertFalse(keyUsage.hasUsages(KeyUsage.keyEncipherment));
        assertFalse(keyUsage.hasUsages(KeyUsage.keyCertSign));

        assertPolicy(holder, "1.2.392.200149.8.5.1.0.20");
        assertIssuerAltName(holder);
        assertKeyIdentifiers(holder, signatureRoot);
        assertUtcTimes(holder);

        Extension san = holder.getExtension(Extension.subjectAlternativeName);
        assertFalse(san.isCritical());
        GeneralName[] names = GeneralNames.getInstance(san.getParsedValue()).getNames();
        String address = Requests.ADDRESS;
        List<String[]> expected = List.of(
                new String[] {"1.2.392.200149.8.5.5.1", Requests.NAME},
                new String[] {"1.2.392.200149.8.5.5.2", "00000"},
                new String[] {"1.2.392.200149.8.5.5.3", "1"},
                new String[] {"1.2.392.200149.8.5.5.4", "3" /* Showa: born 1986-87 */ + dateOfBirth.toString().replace("-", "")},
                new String[] {"1.2.392.200149.8.5.5.5", address},
                new String[] {"1.2.392.200149.8.5.5.6", "0".repeat(address.length())});
        assertEquals(6, names.length);
        for (int i = 0; i < 6; i++) {
            assertEquals(GeneralName.otherName, names[i].getTagNo());
            ASN1Sequence otherName = ASN1Sequence.getInstance(names[i].getName());
            assertEquals(expected.get(i)[0], ASN1ObjectIdentifier.getInstance(otherName.getObjectAt(0)).getId());
            ASN1TaggedObject value = ASN1TaggedObject.getInstance(otherName.getObjectAt(1));
            assertEquals(0, value.getTagNo());
            assertTrue(value.isExplicit());
            assertEquals(expected.get(i)[1], assertInstanceOf(DERUTF8String.class, value.getBaseObject()).getString());
        }

        DistributionPoint point = CRLDistPoint.fromExtensions(holder.getExtensions()).getDistributionPoints()[0];
        GeneralName[] fullName = GeneralNames.getInstance(point.getDistributionPoint().getName()).getNames();
        assertEquals(GeneralName.directoryName, fullName[0].getTagNo());
        assertEquals(new X500Name("C=JP,O=JPKI-TEST,OU=JPKI for digital signature,OU=CRL Distribution Points,"
                + "OU=東京都,CN=千代田区 CRLDP"), X500Name.getInstance(fullName[0].getName()));
        assertEquals(GeneralName.uniformResourceIdentifier, fullName[1].getTagNo());
        assertEquals("http://127.0.0.1:8083/crl/signature/g01/131016.crl", fullName[1].getName().toString());

        AccessDescription ocsp = AuthorityInformationAccess.fromExtensions(holder.getExtensions())
                .getAccessDescriptions()[0];
        assertEquals(AccessDescription.id_ad_ocsp, ocsp.getAccessMethod());
        assertEquals("http://127.0.0.1:8082/ocsp", ocsp.getAccessLocation().getName().toString());

        // Valid to the end (Japan time) of the 5th birthday after today; the next birthday is in 10 days.
        assertEquals(dateOfBirth.plusYears(44).atTime(LocalTime.of(23, 59, 59)).atZone(JAPAN).toInstant(),
                signature.getNotAfter().toInstant());
        // capped by the authentication certificate, which here ends on the same day
        assertFalse(signature.getNotAfter().after(authentication.getNotAfter()));
    }

    @Test
    void authenticationCertificateCarriesNoPersonalData() throws Exception {
        X509CertificateHolder holder = new X509CertificateHolder(authentication.getEncoded());
        assertTrue(holder.getSubject().toString().matches("C=JP,CN=\\d{19}A01"), holder.getSubject().toString());
        assertNull(holder.getExtension(Extension.subjectAlternativeName));
        KeyUsage keyUsage = KeyUsage.fromExtensions(holder.getExtensions());
        assertTrue(holder.getExtension(Extension.keyUsage).isCritical());
        assertTrue(keyUsage.hasUsages(KeyUsage.digitalSignature));
        assertFalse(keyUsage.hasUsages(KeyUsage.nonRepudiation));
        assertPolicy(holder, "1.2.392.200149.8.5.1.3.30");
        assertIssuerAltName(holder);
        assertKeyIdentifiers(holder, authenticationRoot);
        assertUtcTimes(holder);
        String der = new String(authentication.getEncoded(), java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(der.contains(Requests.NAME) || der.contains(Requests.ADDRESS), "no basic four facts");
    }

    @Test
    void openSslReadsAndVerifiesBothStrictly() throws Exception {
        for (var pair : List.of(List.of(signature, signatureRoot), List.of(authentication, authenticationRoot))) {
            Path cert = Pem.write(dir, "ee.pem", toPem(pair.get(0)));
            Path root = Pem.write(dir, "root.pem", toPem(pair.get(1)));
            ExternalTool.Result text = ExternalTool.run("openssl", "x509", "-in", cert.toString(), "-noout", "-text");
            assertEquals(0, text.exitCode(), text.output());
            assertTrue(text.output().contains("X509v3 Key Usage: critical"), text.output());
            assertTrue(text.output().contains("X509v3 Certificate Policies: critical"), text.output());
            assertTrue(text.output().contains("CPS: http://127.0.0.1:8083/cps"), text.output());
            assertTrue(text.output().contains("OCSP - URI:http://127.0.0.1:8082/ocsp"), text.output());
            assertTrue(text.output().contains("X509v3 Issuer Alternative Name"), text.output());
            assertTrue(text.output().contains("X509v3 CRL Distribution Points"), text.output());
            ExternalTool.Result verify = ExternalTool.run("openssl", "verify", "-x509_strict",
                    "-CAfile", root.toString(), cert.toString());
            assertEquals(0, verify.exitCode(), verify.output());
            assertTrue(verify.output().contains(cert + ": OK"), verify.output());
        }
        ExternalTool.Result text = ExternalTool.run("openssl", "x509", "-in",
                Pem.write(dir, "sig.pem", toPem(signature)).toString(), "-noout", "-text");
        assertTrue(text.output().contains("Digital Signature, Non Repudiation"), text.output());
        assertTrue(text.output().contains("Policy: 1.2.392.200149.8.5.1.0.20"), text.output());
    }

    @Test
    void openSslRejectsTheCertificateAgainstTheOtherCa() {
        Path cert = Pem.write(dir, "sig-cross.pem", toPem(signature));
        Path wrongRoot = Pem.write(dir, "auth-root.pem", toPem(authenticationRoot));
        ExternalTool.Result verify = ExternalTool.run("openssl", "verify", "-x509_strict",
                "-CAfile", wrongRoot.toString(), cert.toString());
        assertTrue(verify.exitCode() != 0, verify.output());
    }

    @Test
    void gnuTlsCerttoolParsesAndVerifies() {
        for (var pair : List.of(List.of(signature, signatureRoot), List.of(authentication, authenticationRoot))) {
            Path cert = Pem.write(dir, "gnutls-ee.pem", toPem(pair.get(0)));
            Path root = Pem.write(dir, "gnutls-root.pem", toPem(pair.get(1)));
            ExternalTool.Result info = ExternalTool.run("certtool", "--certificate-info", "--infile", cert.toString());
            assertEquals(0, info.exitCode(), info.output());
            assertTrue(info.output().contains("Key Usage (critical)"), info.output());
            assertTrue(info.output().contains("Certificate Policies (critical)"), info.output());
            ExternalTool.Result verify = ExternalTool.run("certtool", "--verify", "--load-ca-certificate",
                    root.toString(), "--infile", cert.toString());
            assertEquals(0, verify.exitCode(), verify.output());
            assertTrue(verify.output().contains("Chain verification output: Verified."), verify.output());
        }
    }

    @Test
    void javaPkixValidatesBoth() throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (var pair : List.of(List.of(signature, signatureRoot), List.of(authentication, authenticationRoot))) {
            PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(pair.get(1), null)));
            parameters.setRevocationEnabled(false); // revocation comes with the OCSP and CRL issues
            java.security.cert.CertPath path = factory.generateCertPath(List.of(pair.get(0)));
            // JPKI's certificatePolicies is critical and carries a CPS qualifier; Java's PKIX rejects
            // that by default (RFC 5280 6.1.1 lets a relying party choose), so Java relying parties
            // must opt in, as the README says.
            assertThrows(java.security.cert.CertPathValidatorException.class,
                    () -> CertPathValidator.getInstance("PKIX").validate(path, parameters));
            parameters.setPolicyQualifiersRejected(false);
            CertPathValidator.getInstance("PKIX").validate(path, parameters);
        }
    }

    private static void assertPolicy(X509CertificateHolder holder, String oid) {
        Extension extension = holder.getExtension(Extension.certificatePolicies);
        assertTrue(extension.isCritical());
        PolicyInformation policy = CertificatePolicies.getInstance(extension.getParsedValue()).getPolicyInformation()[0];
        assertEquals(oid, policy.getPolicyIdentifier().getId());
        PolicyQualifierInfo qualifier = PolicyQualifierInfo.getInstance(policy.getPolicyQualifiers().getObjectAt(0));
        assertEquals(PolicyQualifierId.id_qt_cps, qualifier.getPolicyQualifierId());
        assertEquals("http://127.0.0.1:8083/cps", qualifier.getQualifier().toString());
    }

    private static void assertIssuerAltName(X509CertificateHolder holder) {
        GeneralName name = GeneralNames.getInstance(holder.getExtension(Extension.issuerAlternativeName)
                .getParsedValue()).getNames()[0];
        assertEquals(GeneralName.directoryName, name.getTagNo());
        assertEquals(new X500Name("C=JP,O=公的個人認証サービス"), X500Name.getInstance(name.getName()));
    }

    private static void assertKeyIdentifiers(X509CertificateHolder holder, X509Certificate root) throws Exception {
        X509CertificateHolder rootHolder = new X509CertificateHolder(root.getEncoded());
        byte[] rootSki = SubjectKeyIdentifier.fromExtensions(rootHolder.getExtensions()).getKeyIdentifier();
        assertArrayEquals(rootSki, AuthorityKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifierOctets());
        // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING
        byte[] keyBits = holder.getSubjectPublicKeyInfo().getPublicKeyData().getBytes();
        assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(keyBits),
                SubjectKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifier());
    }

    private static void assertUtcTimes(X509CertificateHolder holder) {
        TBSCertificate tbs = holder.toASN1Structure().getTBSCertificate();
        assertInstanceOf(ASN1UTCTime.class, tbs.getStartDate().toASN1Primitive());
        assertInstanceOf(ASN1UTCTime.class, tbs.getEndDate().toASN1Primitive());
    }

    static String toPem(X509Certificate certificate) {
        try {
            return jp.inkan.ca.crypto.X509Encoder.pem(certificate.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
