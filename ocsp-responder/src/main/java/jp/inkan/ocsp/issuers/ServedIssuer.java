package jp.inkan.ocsp.issuers;

import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import jp.inkan.common.CertificateType;
import jp.inkan.ocsp.crypto.IssuerHashes;

/**
 * One CA key generation the responder answers for.
 *
 * @param keyId  hex SHA-1 SKI, lower case: the {@code issuerKeyId} of its certificate events
 * @param hashes per hash OID, what a CertID for this issuer carries
 */
public record ServedIssuer(CertificateType ca, int generation, String keyId, X509Certificate root,
                           Map<String, IssuerHashes.Hashes> hashes) {

    /**
     * e.g. {@code signature-g01}: names its responder key and certificate. Looked up on every cached
     * answer, so plain concatenation (String.format showed in the responder's profile).
     */
    public String label() {
        return ca.name().toLowerCase(Locale.ROOT) + (generation < 10 ? "-g0" : "-g") + generation;
    }
}
