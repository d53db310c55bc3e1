package jp.inkan.ca.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jp.inkan.ca.hsm.SigningAlgorithm;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.bouncycastle.asn1.x509.PolicyQualifierInfo;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/** Encodes certificates (the only place that speaks ASN.1). */
@ApplicationScoped
public class X509Encoder {

    private static final BcX509ExtensionUtils EXTENSION_UTILS = new BcX509ExtensionUtils();
    private static final Instant NO_WELL_DEFINED_EXPIRATION = Instant.parse("9999-12-31T23:59:59Z");

    /** Issuing roots, parsed once: every certificate of a generation needs the same issuer name and AKI. */
    private record Issuer(X500Name subject, AuthorityKeyIdentifier keyIdentifier) {
    }

    private final Map<ByteBuffer, Issuer> issuers = new ConcurrentHashMap<>();
    /** DN strings from configuration and the municipality registry: a bounded, slowly changing set. */
    private final Map<String, X500Name> names = new ConcurrentHashMap<>();
    private final Map<SigningAlgorithm, AlgorithmIdentifier> algorithms = new ConcurrentHashMap<>();

    /** What the rest of the CA needs to know about a root it holds. */
    public record RootFacts(String subjectDn, byte[] subjectKeyIdentifier, Instant notBefore, Instant notAfter) {
    }

    /** A self-signed CA certificate: CA:TRUE (critical), keyCertSign + cRLSign (critical), SKI = AKI. */
    public byte[] selfSignedRoot(String subjectDn, BigInteger serial, Instant notBefore, Instant notAfter,
                                 PublicKey publicKey, SigningAlgorithm algorithm, TbsSigner signer) {
        X500Name name = new X500Name(BCStyle.INSTANCE, subjectDn);
        SubjectPublicKeyInfo keyInfo = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded());
        SubjectKeyIdentifier ski = EXTENSION_UTILS.createSubjectKeyIdentifier(keyInfo);
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                name, serial, time(notBefore), time(notAfter), name, keyInfo);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ski);
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new AuthorityKeyIdentifier(ski.getKeyIdentifier()));
        } catch (CertIOException e) {
            throw new UncheckedIOException(e);
        }
        return encode(builder.build(contentSigner(algorithm, signer)));
    }

    /**
     * A root key update link certificate (RFC 4210 §4.4: NewWithOld / OldWithNew): the key, subject
     * and SKI of {@code subjectRootDer} certified by the key of {@code issuerRootDer}. All
     * generations share one DN, so the link is self-issued (subject = issuer) and only the key
     * identifiers tell the chain apart: relying parties that trust either root reach the other
     * generation through it.
     */
    public byte[] linkCertificate(byte[] subjectRootDer, byte[] issuerRootDer, BigInteger serial, Instant notBefore,
                                  Instant notAfter, SigningAlgorithm issuerAlgorithm, TbsSigner issuerSigner) {
        X509CertificateHolder subject = parse(subjectRootDer);
        X509CertificateHolder issuer = parse(issuerRootDer);
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuer.getSubject(), serial, time(notBefore),
                time(notAfter), subject.getSubject(), subject.getSubjectPublicKeyInfo());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyIdentifier(subject)));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new AuthorityKeyIdentifier(subjectKeyIdentifier(issuer)));
        } catch (CertIOException e) {
            throw new UncheckedIOException(e);
        }
        return encode(builder.build(contentSigner(issuerAlgorithm, issuerSigner)));
    }

    /**
     * The self-signed certificate a PKCS#11 key entry needs beside its key. Its subject names the
     * alias alone, so no other certificate on the token shares its subject or names it as issuer
     * (SunPKCS11 keeps, on delete, a certificate another one names as issuer; the CA roots of all
     * generations share one subject). Not a CA, never published; validity without end (RFC 5280
     * 4.1.2.5).
     */
    public byte[] keyHolder(String alias, BigInteger serial, Instant notBefore, PublicKey publicKey,
                            SigningAlgorithm algorithm, TbsSigner signer) {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, alias).build();
        SubjectPublicKeyInfo keyInfo = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded());
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                name, serial, time(notBefore), time(NO_WELL_DEFINED_EXPIRATION), name, keyInfo);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.subjectKeyIdentifier, false, EXTENSION_UTILS.createSubjectKeyIdentifier(keyInfo));
        } catch (CertIOException e) {
            throw new UncheckedIOException(e);
        }
        return encode(builder.build(contentSigner(algorithm, signer)));
    }

    public byte[] endEntity(CertificateSpec spec, TbsSigner signer) {
        Issuer issuer = issuers.computeIfAbsent(ByteBuffer.wrap(spec.issuerCertificateDer()), der -> {
            X509CertificateHolder root = parse(spec.issuerCertificateDer());
            return new Issuer(root.getSubject(), new AuthorityKeyIdentifier(subjectKeyIdentifier(root)));
        });
        SubjectPublicKeyInfo keyInfo = SubjectPublicKeyInfo.getInstance(spec.subjectPublicKeyInfo());
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                issuer.subject(), spec.serial(), time(spec.notBefore()), time(spec.notAfter()),
                subjectName(spec.subject()), keyInfo);
        try {
            int usage = KeyUsage.digitalSignature | (spec.nonRepudiation() ? KeyUsage.nonRepudiation : 0);
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            builder.addExtension(Extension.certificatePolicies, true, new CertificatePolicies(new PolicyInformation(
                    new ASN1ObjectIdentifier(spec.policyOid()),
                    new DERSequence(new PolicyQualifierInfo(spec.cpsUri())))));
            builder.addExtension(Extension.issuerAlternativeName, false, new GeneralNames(
                    new GeneralName(name(spec.issuerAltNameDn()))));
            if (!spec.otherNames().isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (CertificateSpec.OtherName otherName : spec.otherNames()) {
                    names.add(new GeneralName(GeneralName.otherName, new DERSequence(new ASN1Encodable[] {
                            new ASN1ObjectIdentifier(otherName.oid()),
                            new DERTaggedObject(true, 0, new DERUTF8String(otherName.value()))})));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(new DistributionPointName(new GeneralNames(new GeneralName[] {
                            new GeneralName(name(spec.crlDirectoryName())),
                            new GeneralName(GeneralName.uniformResourceIdentifier, spec.crlUrl())})), null, null)}));
            builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                    new AccessDescription(AccessDescription.id_ad_ocsp,
                            new GeneralName(GeneralName.uniformResourceIdentifier, spec.ocspUrl()))));
            builder.addExtension(Extension.authorityKeyIdentifier, false, issuer.keyIdentifier());
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    EXTENSION_UTILS.createSubjectKeyIdentifier(keyInfo));
        } catch (CertIOException e) {
            throw new UncheckedIOException(e);
        }
        return encode(builder.build(contentSigner(spec.algorithm(), signer)));
    }

    /**
     * A delegated OCSP responder certificate (RFC 6960 §4.2.2.2): id-kp-OCSPSigning, and
     * id-pkix-ocsp-nocheck (§4.2.2.2.1) because its short life stands in for revocation checking.
     */
    public byte[] ocspResponder(byte[] issuerCertificateDer, SigningAlgorithm algorithm, BigInteger serial,
                                Instant notBefore, Instant notAfter, String subjectDn, byte[] subjectPublicKeyInfo,
                                TbsSigner signer) {
        X509CertificateHolder root = parse(issuerCertificateDer);
        SubjectPublicKeyInfo keyInfo = SubjectPublicKeyInfo.getInstance(subjectPublicKeyInfo);
        X509v3CertificateBuilder builder = new X509v3CertificateBuilder(root.getSubject(), serial, time(notBefore),
                time(notAfter), name(subjectDn), keyInfo);
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            builder.addExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck, false, DERNull.INSTANCE);
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    new AuthorityKeyIdentifier(subjectKeyIdentifier(root)));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    EXTENSION_UTILS.createSubjectKeyIdentifier(keyInfo));
        } catch (CertIOException e) {
            throw new UncheckedIOException(e);
        }
        return encode(builder.build(contentSigner(algorithm, signer)));
    }

    /**
     * DER GeneralNames { DirName, URI } exactly as {@link #endEntity} puts it in a certificate's CRL
     * distribution point: a partitioned CRL's issuing distribution point carries these bytes.
     */
    public byte[] distributionPointFullName(String directoryName, String url) {
        try {
            return new GeneralNames(new GeneralName[] {new GeneralName(name(directoryName)),
                    new GeneralName(GeneralName.uniformResourceIdentifier, url)}).getEncoded(org.bouncycastle.asn1.ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RootFacts rootFacts(byte[] certificateDer) {
        X509CertificateHolder holder = parse(certificateDer);
        return new RootFacts(holder.getSubject().toString(), subjectKeyIdentifier(holder),
                holder.getNotBefore().toInstant(), holder.getNotAfter().toInstant());
    }

    /** RFC 4514-style rendering of a subject, as stored in the inventory. */
    public String render(List<CertificateSpec.Attribute> subject) {
        return subjectName(subject).toString();
    }

    public static String pem(byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
    }

    private static X500Name subjectName(List<CertificateSpec.Attribute> attributes) {
        X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
        for (CertificateSpec.Attribute attribute : attributes) {
            builder.addRDN(switch (attribute.type()) {
                case COUNTRY -> BCStyle.C;
                case LOCALITY -> BCStyle.L;
                case COMMON_NAME -> BCStyle.CN;
            }, attribute.value());
        }
        return builder.build();
    }

    private static byte[] subjectKeyIdentifier(X509CertificateHolder holder) {
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(holder.getExtensions());
        if (ski != null) {
            return ski.getKeyIdentifier();
        }
        return EXTENSION_UTILS.createSubjectKeyIdentifier(holder.getSubjectPublicKeyInfo()).getKeyIdentifier();
    }

    private static X509CertificateHolder parse(byte[] der) {
        try {
            return new X509CertificateHolder(der);
        } catch (IOException e) {
            throw new UncheckedIOException("Not a DER certificate", e);
        }
    }

    private static byte[] encode(X509CertificateHolder holder) {
        try {
            return holder.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5), formatted by hand and read
     * back from its DER encoding: Bouncy Castle's String and Date constructors validate through a
     * new SimpleDateFormat on every call, the DER reader does not.
     */
    static Time time(Instant instant) {
        java.time.ZonedDateTime t = instant.atZone(java.time.ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(15);
        boolean utcTime = t.getYear() < 2050;
        out.append(utcTime ? twoDigits(t.getYear() % 100) : Integer.toString(t.getYear()));
        for (int field : new int[] {t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()}) {
            out.append(twoDigits(field));
        }
        out.append('Z');
        byte[] der = new byte[2 + out.length()];
        der[0] = (byte) (utcTime ? BERTags.UTC_TIME : BERTags.GENERALIZED_TIME);
        der[1] = (byte) out.length();
        for (int i = 0; i < out.length(); i++) {
            der[2 + i] = (byte) out.charAt(i);
        }
        try {
            return Time.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String twoDigits(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }

    private X500Name name(String dn) {
        return names.computeIfAbsent(dn, d -> new X500Name(BCStyle.INSTANCE, d));
    }

    private ContentSigner contentSigner(SigningAlgorithm algorithm, TbsSigner signer) {
        AlgorithmIdentifier identifier = algorithms.computeIfAbsent(algorithm,
                a -> new DefaultSignatureAlgorithmIdentifierFinder().find(a.jcaName()));
        return new ContentSigner() {
            private final ByteArrayOutputStream tbs = new ByteArrayOutputStream(2048);

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return identifier;
            }

            @Override
            public OutputStream getOutputStream() {
                return tbs;
            }

            @Override
            public byte[] getSignature() {
                return signer.sign(tbs.toByteArray());
            }
        };
    }
}
