package jp.inkan.common.ca;

import java.time.Instant;
import jp.inkan.common.CertificateType;

/** One key generation of a CA, with its self-signed root. */
public record CaGeneration(
        CertificateType ca,
        int generation,
        String subjectDn,
        String subjectKeyIdentifier,
        Instant notBefore,
        Instant notAfter,
        String certificatePem) {
}
