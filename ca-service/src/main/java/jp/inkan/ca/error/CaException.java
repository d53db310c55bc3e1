package jp.inkan.ca.error;

import java.util.List;

/**
 * A refusal or failure in the CA's own terms. The HTTP edge maps each {@link Kind} to a status
 * and a problem type once; nothing below the edge knows about HTTP.
 */
public class CaException extends RuntimeException {

    public enum Kind {
        /** One or more request fields are bad; {@link #violations()} lists each. */
        INVALID_REQUEST,
        /** The CSR's key is weak or of a type this CA does not certify. */
        KEY_REJECTED,
        /** The public key is already in a certificate (ours, of either CA). */
        KEY_REUSED,
        /** The caller's request id was already used for a different request. */
        REQUEST_ID_REUSED,
        /** The holder may not have this certificate (age, adult ward, expired card). */
        NOT_ELIGIBLE,
        NOT_FOUND,
        /** The certificate is revoked for another reason; only a change to keyCompromise is allowed. */
        REVOCATION_CONFLICT,
        /** The operation is switched off by configuration (e.g. hold release). */
        DISABLED,
        /** The CA has no active key generation yet (not bootstrapped). */
        CA_NOT_READY,
        /** The HSM cannot be reached or keeps failing; the request may be retried. */
        HSM_UNAVAILABLE,
        /** No fresh serial could be recorded after the configured attempts. */
        SERIAL_EXHAUSTED,
        /** The inventory database cannot be written; nothing was issued, the request may be retried. */
        INVENTORY_UNAVAILABLE,
        /** CRL content refused before signing: wrong issuer, key identifier, version, dates or structure. */
        CRL_REFUSED,
        /** The CRL number was already signed for other content in the same scope. */
        CRL_NUMBER_REUSED,
        /** A rotation or retirement that the generations' state does not allow now. */
        ROTATION_CONFLICT,
        /** Dual control: fewer distinct operators approved than required. */
        APPROVALS_MISSING,
        /** Dual control: the request (and so its approvals) expired. */
        REQUEST_EXPIRED,
        /** Dual control: the request was already executed, or this operator already approved it. */
        REQUEST_CLOSED
    }

    public record FieldError(String field, String message) {
    }

    private final Kind kind;
    private final List<FieldError> violations;

    public CaException(Kind kind, String detail) {
        this(kind, detail, List.of(), null);
    }

    public CaException(Kind kind, String detail, Throwable cause) {
        this(kind, detail, List.of(), cause);
    }

    public CaException(Kind kind, String detail, List<FieldError> violations) {
        this(kind, detail, violations, null);
    }

    private CaException(Kind kind, String detail, List<FieldError> violations, Throwable cause) {
        super(detail, cause);
        this.kind = kind;
        this.violations = List.copyOf(violations);
    }

    public Kind kind() {
        return kind;
    }

    public List<FieldError> violations() {
        return violations;
    }
}
