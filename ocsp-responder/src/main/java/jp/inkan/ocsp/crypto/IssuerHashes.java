package jp.inkan.ocsp.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * The issuerNameHash and issuerKeyHash a CertID carries for an issuer (RFC 6960 §4.1.1): hashes of
 * the issuer's DER subject name and of its subjectPublicKey BIT STRING value, for each hash a
 * client may use.
 */
public final class IssuerHashes {

    /** Hash OID → JCA digest name; SHA-1 (RFC 5019 clients) and the SHA-2 family. */
    public static final Map<String, String> ALGORITHMS = Map.of(
            OIWObjectIdentifiers.idSHA1.getId(), "SHA-1",
            NISTObjectIdentifiers.id_sha256.getId(), "SHA-256",
            NISTObjectIdentifiers.id_sha384.getId(), "SHA-384",
            NISTObjectIdentifiers.id_sha512.getId(), "SHA-512");

    public record Hashes(String algorithm, byte[] nameHash, byte[] keyHash) {
    }

    private IssuerHashes() {
    }

    /** One entry per supported hash OID. */
    public static Map<String, Hashes> of(X509Certificate issuer) {
        byte[] name = issuer.getSubjectX500Principal().getEncoded();
        byte[] key = SubjectPublicKeyInfo.getInstance(issuer.getPublicKey().getEncoded()).getPublicKeyData().getBytes();
        Map<String, Hashes> hashes = new LinkedHashMap<>();
        ALGORITHMS.forEach((oid, digest) -> hashes.put(oid, new Hashes(oid, digest(digest, name), digest(digest, key))));
        return hashes;
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
