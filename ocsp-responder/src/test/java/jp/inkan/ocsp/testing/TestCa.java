package jp.inkan.ocsp.testing;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.CaGeneration;
import jp.inkan.common.ca.ResponderCertificate;
import jp.inkan.common.ca.ResponderCertificateRequest;
import jp.inkan.ocsp.issuers.CaServiceApi;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.openssl.PEMParser;

/**
 * A stand-in for ca-service in unit tests: CA roots made with Bouncy Castle, and responder
 * certificates issued for CSRs as ca-service would (OCSPSigning, validity from the clock).
 */
public final class TestCa implements CaServiceApi {

    public record Root(CertificateType ca, int generation, KeyPair key, X509Certificate certificate, String ski) {
    }

    private final Clock clock;
    private final Duration responderValidity;
    public final List<Root> roots = new ArrayList<>();
    public final AtomicInteger issued = new AtomicInteger();
    public volatile boolean down;

    public TestCa(Clock clock, Duration responderValidity) {
        this.clock = clock;
        this.responderValidity = responderValidity;
    }

    public Root addRoot(CertificateType ca, int generation, String dn) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair key = generator.generateKeyPair();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        Instant now = clock.instant();
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(new X500Name(dn), BigInteger.valueOf(generation),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), new X500Name(dn),
                key.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key.getPublic()))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate()));
        X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
        String ski = HexFormat.of().formatHex(utils.createSubjectKeyIdentifier(key.getPublic()).getKeyIdentifier());
        Root root = new Root(ca, generation, key, certificate, ski);
        roots.add(root);
        return root;
    }

    @Override
    public List<CaGeneration> generations() {
        if (down) {
            throw new IllegalStateException("ca-service down");
        }
        return roots.stream().map(r -> new CaGeneration(r.ca(), r.generation(),
                r.certificate().getSubjectX500Principal().getName(), r.ski(), r.certificate().getNotBefore().toInstant(),
                r.certificate().getNotAfter().toInstant(), pem(r.certificate()))).toList();
    }

    @Override
    public ResponderCertificate issueResponderCertificate(ResponderCertificateRequest request) {
        if (down) {
            throw new IllegalStateException("ca-service down");
        }
        try {
            Root root = roots.stream().filter(r -> r.ca() == request.ca() && r.generation() == request.keyGeneration())
                    .findFirst().orElseThrow();
            PKCS10CertificationRequest csr;
            try (PEMParser parser = new PEMParser(new java.io.StringReader(request.csrPem()))) {
                csr = (PKCS10CertificationRequest) parser.readObject();
            }
            Instant now = clock.instant();
            X509CertificateHolder holder = new org.bouncycastle.cert.X509v3CertificateBuilder(
                    X500Name.getInstance(root.certificate().getSubjectX500Principal().getEncoded()),
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(responderValidity)), new X500Name("CN=OCSP Responder"),
                    csr.getSubjectPublicKeyInfo())
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(root.key().getPrivate()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            issued.incrementAndGet();
            return new ResponderCertificate(request.ca(), request.keyGeneration(), certificate.getSerialNumber().toString(16),
                    certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant(), pem(certificate),
                    pem(root.certificate()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
