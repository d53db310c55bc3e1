package jp.inkan.ca.inventory;

import java.time.Instant;
import jp.inkan.common.CertificateType;

/** A certificate as the inventory holds it. {@code serial} is lower-case hex. */
public record StoredCertificate(
        CertificateType ca,
        long keyGenerationId,
        String serial,
        String subjectDn,
        Instant notBefore,
        Instant notAfter,
        String municipalityCode,
        String cardSerial,
        CertificateStatus status,
        byte[] publicKeySha256,
        String requestId,
        byte[] der) {
}
