package jp.inkan.ocsp.store;

import java.time.Instant;
import jp.inkan.common.RevocationReason;

/**
 * What the responder knows about one certificate: the status carried by the newest event applied.
 *
 * @param revokedAt      revocation (or hold) time, second precision; null while valid
 * @param reason         null when the event carried none
 * @param invalidityDate when the key became unusable (RFC 5280 §5.3.2), second precision; only on a
 *                       revoked certificate whose revocation said so, else null. Not part of the
 *                       packed form: the store keeps it beside the table, for the few that have one.
 */
public record CertificateStatus(State state, Instant revokedAt, RevocationReason reason, long revision,
                                Instant invalidityDate) {

    public CertificateStatus(State state, Instant revokedAt, RevocationReason reason, long revision) {
        this(state, revokedAt, reason, revision, null);
    }

    /** This status with its invalidity date. */
    CertificateStatus withInvalidityDate(Instant date) {
        return new CertificateStatus(state, revokedAt, reason, revision, date);
    }

    public enum State {
        VALID, ON_HOLD, REVOKED
    }

    /** Revision limit of the packed form (22 bits): a certificate changes status a handful of times. */
    static final long MAX_REVISION = (1L << 22) - 1;
    private static final int NO_REASON = 15;

    /**
     * Packs all but the invalidity date into one long (never 0, which marks an empty slot): bits 0-1 state, 2-5 reason code
     * (15 = none), 6-27 revision, 28-63 revocation time in epoch seconds (36 bits: until year 4147).
     */
    long pack() {
        long seconds = revokedAt == null ? 0 : revokedAt.getEpochSecond();
        if (seconds < 0 || seconds >= (1L << 36)) {
            throw new IllegalArgumentException("revocation time out of range: " + revokedAt);
        }
        if (revision < 1 || revision > MAX_REVISION) {
            throw new IllegalArgumentException("revision out of range: " + revision);
        }
        long reasonBits = reason == null ? NO_REASON : reason.code();
        return state.ordinal() | reasonBits << 2 | revision << 6 | seconds << 28;
    }

    static CertificateStatus unpack(long packed) {
        State state = State.values()[(int) (packed & 3)];
        int reasonCode = (int) (packed >>> 2 & 15);
        long revision = packed >>> 6 & MAX_REVISION;
        long seconds = packed >>> 28;
        RevocationReason reason = null;
        if (reasonCode != NO_REASON) {
            for (RevocationReason r : RevocationReason.values()) {
                if (r.code() == reasonCode) {
                    reason = r;
                }
            }
        }
        return new CertificateStatus(state, state == State.VALID && seconds == 0 ? null : Instant.ofEpochSecond(seconds),
                reason, revision);
    }

    static long revisionOf(long packed) {
        return packed >>> 6 & MAX_REVISION;
    }
}
