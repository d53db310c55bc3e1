package jp.inkan.ca.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import jp.inkan.ca.hsm.SigningAlgorithm;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The streaming TBSCertList check ca-service applies before it signs a CRL. */
class CrlTbsReaderTest {

    static final KeyPair KEY = rsa();
    static final X500Name ISSUER = new X500Name("C=JP, O=JPKI-TEST, OU=JPKI for digital signature");
    static final Instant NOW = Instant.now();

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] root(X500Name subject, KeyPair key) throws Exception {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        SubjectKeyIdentifier ski = utils.createSubjectKeyIdentifier(key.getPublic());
        return new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, Date.from(NOW.minusSeconds(3600)),
                Date.from(NOW.plusSeconds(86400 * 365)), subject, key.getPublic())
                .addExtension(Extension.subjectKeyIdentifier, false, ski)
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())).getEncoded();
    }

    static byte[] tbs(X500Name issuer, byte[] keyId, Instant thisUpdate, Instant nextUpdate, int entries, boolean delta)
            throws Exception {
        X509v2CRLBuilder builder = new X509v2CRLBuilder(issuer, Date.from(thisUpdate));
        if (nextUpdate != null) {
            builder.setNextUpdate(Date.from(nextUpdate));
        }
        for (int i = 1; i <= entries; i++) {
            builder.addCRLEntry(BigInteger.valueOf(i), Date.from(thisUpdate), CRLReason.keyCompromise);
        }
        builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(keyId));
        builder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(7)));
        if (delta) {
            builder.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(5));
        }
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(KEY.getPrivate());
        return builder.build(signer).toASN1Structure().getTBSCertList().getEncoded(ASN1Encoding.DER);
    }

    static CrlTbsReader.Facts read(byte[] root, byte[] tbs) throws CrlTbsReader.Refused {
        return CrlTbsReader.read(new ByteArrayInputStream(tbs), new CrlTbsReader.Expectations(root,
                SigningAlgorithm.SHA256_WITH_RSA, NOW, Duration.ofMinutes(15), Duration.ofDays(10), 1 << 30));
    }

    static byte[] keyId(byte[] root) throws Exception {
        return SubjectKeyIdentifier.fromExtensions(new X509CertificateHolder(root).getExtensions()).getKeyIdentifier();
    }

    @Test
    void aWellFormedTbsCertListIsDigestedWhole() throws Exception {
        byte[] root = root(ISSUER, KEY);
        byte[] tbs = tbs(ISSUER, keyId(root), NOW, NOW.plusSeconds(86400), 1000, false);
        CrlTbsReader.Facts facts = read(root, tbs);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(tbs), facts.tbsSha256());
        assertEquals(1000, facts.entries());
        assertEquals(BigInteger.valueOf(7), facts.crlNumber());
        assertNull(facts.deltaBase());
        assertEquals(tbs.length, facts.length());
        assertEquals(BigInteger.valueOf(5), read(root, tbs(ISSUER, keyId(root), NOW, NOW.plusSeconds(600), 0, true)).deltaBase());
    }

    @Test
    void wrongIssuerKeyTimesOrTrailingBytesAreRefused() throws Exception {
        byte[] root = root(ISSUER, KEY);
        byte[] keyId = keyId(root);
        X500Name other = new X500Name("C=JP, O=JPKI-TEST, OU=JPKI for user authentication");
        assertRefused(root, tbs(other, keyId, NOW, NOW.plusSeconds(86400), 1, false), "issuer");
        assertRefused(root, tbs(ISSUER, new byte[20], NOW, NOW.plusSeconds(86400), 1, false), "authority key identifier");
        assertRefused(root, tbs(ISSUER, keyId, NOW.minusSeconds(7200), NOW.plusSeconds(86400), 1, false), "thisUpdate");
        assertRefused(root, tbs(ISSUER, keyId, NOW, null, 1, false), "nextUpdate");
        assertRefused(root, tbs(ISSUER, keyId, NOW, NOW.plusSeconds(86400 * 30), 1, false), "nextUpdate");
        byte[] good = tbs(ISSUER, keyId, NOW, NOW.plusSeconds(86400), 3, false);
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertRefused(root, trailing, "after");
        assertRefused(root, Arrays.copyOf(good, good.length - 5), "ends early");
    }

    static void assertRefused(byte[] root, byte[] tbs, String why) {
        CrlTbsReader.Refused refused = assertThrows(CrlTbsReader.Refused.class, () -> read(root, tbs));
        assertTrue(refused.getMessage().contains(why), refused.getMessage());
    }
}
