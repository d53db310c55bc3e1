package jp.inkan.common.ca;

import java.time.Instant;
import jp.inkan.common.CertificateType;

/**
 * A certificate ca-service has signed and recorded.
 *
 * @param serial        lower-case hex, no leading zeros
 * @param keyGeneration the issuing CA's key generation (1 = "01")
 */
public record IssuedCertificate(
        CertificateType type,
        String serial,
        int keyGeneration,
        String subject,
        Instant notBefore,
        Instant notAfter,
        String certificatePem) {
}
