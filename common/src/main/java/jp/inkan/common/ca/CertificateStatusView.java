package jp.inkan.common.ca;

import java.time.Instant;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;

/**
 * Where a certificate stands, as ca-service answers a revocation, hold or release.
 *
 * @param status      VALID, ON_HOLD or REVOKED
 * @param revokedAt   when ca-service recorded the revocation or hold (the first one: repeats answer with it)
 * @param reason      the reason of record; {@code certificateHold} while on hold
 * @param unchanged   true when the call changed nothing (a repeat of an earlier revocation)
 */
public record CertificateStatusView(
        CertificateType ca,
        String serial,
        int keyGeneration,
        String status,
        Instant revokedAt,
        RevocationReason reason,
        Instant invalidityDate,
        boolean unchanged) {
}
