package jp.inkan.ca.crypto;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import jp.inkan.ca.hsm.SigningAlgorithm;

/**
 * Everything an end-entity certificate says, in plain Java terms: the profile decides the values,
 * {@link X509Encoder} only encodes them.
 *
 * @param issuerCertificateDer the issuing root: its subject becomes the issuer, its SKI the AKI
 * @param subject              RDNs in order, most significant first
 * @param otherNames           subjectAltName otherName entries ({@code [0] { OID, [0] UTF8String }}); empty for none
 * @param crlDirectoryName     DirName distribution point (RFC 4514 string, most significant RDN first)
 */
public record CertificateSpec(
        byte[] issuerCertificateDer,
        SigningAlgorithm algorithm,
        BigInteger serial,
        Instant notBefore,
        Instant notAfter,
        List<Attribute> subject,
        byte[] subjectPublicKeyInfo,
        boolean nonRepudiation,
        String policyOid,
        String cpsUri,
        String issuerAltNameDn,
        List<OtherName> otherNames,
        String crlDirectoryName,
        String crlUrl,
        String ocspUrl) {

    public enum AttributeType { COUNTRY, LOCALITY, COMMON_NAME }

    public record Attribute(AttributeType type, String value) {
    }

    public record OtherName(String oid, String value) {
    }
}
