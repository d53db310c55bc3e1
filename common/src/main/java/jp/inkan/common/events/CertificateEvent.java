package jp.inkan.common.events;

import java.time.Instant;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;

/**
 * What happened to one certificate, published by ca-service (through its outbox) on the
 * certificate-events topic. Every event carries the certificate's whole current status, so a
 * consumer needs only the newest one per certificate (the topic may be compacted) and applies
 * them idempotently: an event whose {@code revision} is not above the one applied is ignored.
 *
 * <p>Kafka key: {@link #key()} (issuer key identifier and serial), so all events of a
 * certificate land in one partition, in order.
 *
 * @param schema           {@value #SCHEMA}; consumers refuse versions they do not know
 * @param eventId          unique per event (the outbox row), for logs and tracing
 * @param kind             what happened
 * @param revision         per certificate: 1 at issuance, +1 at each change of status
 * @param ca               the issuing CA
 * @param keyGeneration    the issuing key generation (1 = "01")
 * @param issuerKeyId      hex SHA-1 subject key identifier of that generation (RFC 5280 §4.2.1.2)
 * @param serial           lower-case hex, no leading zeros
 * @param municipalityCode CRL partition of the certificate
 * @param notAfter         end of validity: CRL entries are dropped after it
 * @param status           {@code VALID}, {@code ON_HOLD} or {@code REVOKED} after the event
 * @param revokedAt        revocation (or hold) time of record, null while valid
 * @param reason           reason of record: null while valid and never held; {@code removeFromCRL} after a release
 * @param invalidityDate   optional, from the revocation request
 * @param occurredAt       when ca-service recorded the event
 */
public record CertificateEvent(
        int schema,
        String eventId,
        Kind kind,
        long revision,
        CertificateType ca,
        int keyGeneration,
        String issuerKeyId,
        String serial,
        String municipalityCode,
        Instant notAfter,
        String status,
        Instant revokedAt,
        RevocationReason reason,
        Instant invalidityDate,
        Instant occurredAt) {

    public static final int SCHEMA = 1;

    public enum Kind {
        ISSUED, REVOKED, HELD, HOLD_RELEASED, REASON_CHANGED
    }

    public String key() {
        return key(issuerKeyId, serial);
    }

    public static String key(String issuerKeyId, String serial) {
        return issuerKeyId + ":" + serial;
    }
}
