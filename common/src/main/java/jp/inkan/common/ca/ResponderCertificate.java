package jp.inkan.common.ca;

import java.time.Instant;
import jp.inkan.common.CertificateType;

/** A delegated OCSP responder certificate, with the root of the generation that signed it. */
public record ResponderCertificate(
        CertificateType ca,
        int keyGeneration,
        String serial,
        Instant notBefore,
        Instant notAfter,
        String certificatePem,
        String issuerCertificatePem) {
}
