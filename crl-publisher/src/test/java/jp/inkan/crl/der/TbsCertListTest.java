package jp.inkan.crl.der;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.junit.jupiter.api.Test;

/** The hand-written DER of CRL entries and framing, read back by Bouncy Castle and the JDK. */
class TbsCertListTest {

    @Test
    void entriesAndFramingParseAsRfc5280() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair key = generator.generateKeyPair();
        AlgorithmIdentifier algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withRSA");
        X500Name issuer = new X500Name("C=JP, O=JPKI-TEST, OU=JPKI for digital signature");
        long now = Instant.parse("2026-12-02T00:00:00Z").getEpochSecond();
        long farFuture = Instant.parse("2051-01-02T03:04:05Z").getEpochSecond();
        Path spill = Files.createTempFile("entries", ".der");
        byte[] tbsDer;
        try (TbsCertList tbs = new TbsCertList(spill)) {
            tbs.entry("ff", now - 10, 1, now - 86400);          // high bit: needs a leading zero
            tbs.entry("1", now - 20, 6, null);                   // hold + instruction
            tbs.entry("7fffffffffffffffffffffffffffffff", farFuture, 0, null); // unspecified: no reason; GeneralizedTime
            tbs.entry("abc", now - 30, 8, null);                 // removeFromCRL
            for (int i = 0; i < 5000; i++) {
                tbs.entry(Integer.toHexString(0x10000 + i), now, 3, null);
            }
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(new byte[20]));
            extensions.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(42)));
            tbs.finish(algorithm.getEncoded(ASN1Encoding.DER), issuer.getEncoded(ASN1Encoding.DER), now, now + 86400,
                    extensions.generate().getEncoded(ASN1Encoding.DER));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = tbs.open()) {
                in.transferTo(out);
            }
            tbsDer = out.toByteArray();
            assertEquals(tbs.length(), tbsDer.length);
            assertEquals(5004, tbs.count());
        }
        assertTrue(!Files.exists(spill), "the spill file is removed");
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(key.getPrivate());
        signer.update(tbsDer);
        byte[] signature = signer.sign();
        byte[] bitString = Der.bitString(signature);
        byte[] crlDer = Der.tlv(0x30, tbsDer, algorithm.getEncoded(ASN1Encoding.DER), bitString);

        X509CRLHolder crl = new X509CRLHolder(crlDer);
        assertEquals(issuer, crl.getIssuer());
        assertEquals(5004, crl.getRevokedCertificates().size());
        X509CRLEntryHolder high = crl.getRevokedCertificate(BigInteger.valueOf(255));
        assertEquals(1, ASN1Enumerated.getInstance(high.getExtensions().getExtension(Extension.reasonCode).getParsedValue())
                .intValueExact());
        assertEquals(new Date((now - 86400) * 1000), ASN1GeneralizedTime.getInstance(
                high.getExtensions().getExtension(Extension.invalidityDate).getParsedValue()).getDate());
        X509CRLEntryHolder hold = crl.getRevokedCertificate(BigInteger.ONE);
        assertEquals(new ASN1ObjectIdentifier("1.2.840.10040.2.3"),
                hold.getExtensions().getExtension(Extension.instructionCode).getParsedValue());
        X509CRLEntryHolder unspecified = crl.getRevokedCertificate(new BigInteger("7fffffffffffffffffffffffffffffff", 16));
        assertNull(unspecified.getExtensions());
        assertEquals(new Date(farFuture * 1000), unspecified.getRevocationDate());

        X509CRL jdk = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(crlDer));
        jdk.verify(key.getPublic());
        X509CRLEntry entry = jdk.getRevokedCertificate(BigInteger.valueOf(0xabc));
        assertNotNull(entry);
        assertEquals(java.security.cert.CRLReason.REMOVE_FROM_CRL, entry.getRevocationReason());
        assertEquals(2, jdk.getVersion());
    }
}
