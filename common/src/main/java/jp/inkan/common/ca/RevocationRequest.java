package jp.inkan.common.ca;

import java.time.Instant;
import jp.inkan.common.RevocationReason;

/**
 * Asks ca-service to revoke (or hold) one certificate.
 *
 * @param municipalityCode the municipality the caller acts for: ca-service refuses (as not found)
 *                         a certificate issued for another one
 * @param reason           a revocation reason ({@link RevocationReason#isRevocation()}); ignored by the hold call
 * @param invalidityDate   when the key is known or suspected to have become unusable; optional
 */
public record RevocationRequest(String municipalityCode, RevocationReason reason, Instant invalidityDate) {
}
