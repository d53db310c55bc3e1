package jp.inkan.registration.application;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import jp.inkan.common.CertificateType;

/** An application and the certificates issued for it, as the API returns it. */
public record ApplicationResult(UUID applicationId, String municipalityCode, String status, Instant createdAt,
                                List<Certificate> certificates) {

    /**
     * One issued certificate; {@code serial} is lower-case hex. {@code status} (VALID, ON_HOLD,
     * REVOKED), {@code revokedAt} and {@code reason} as of the last revocation or hold made here.
     */
    public record Certificate(CertificateType type, String serial, int keyGeneration, Instant notBefore,
                              Instant notAfter, String pem, String status, Instant revokedAt, String reason) {
    }
}
