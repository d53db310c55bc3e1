package jp.inkan.registration.error;

import java.util.List;
import jp.inkan.common.validation.FieldErrors.FieldError;

/** A refusal or failure in the registration service's terms, mapped to HTTP once at the edge. */
public class RegistrationException extends RuntimeException {

    public enum Kind {
        /** Fields are bad; {@link #violations()} lists each. */
        INVALID_REQUEST,
        /** The Idempotency-Key was already used with a different body. */
        IDEMPOTENCY_CONFLICT,
        NOT_FOUND,
        /** ca-service refused the request (its problem is passed on). */
        CA_REFUSED,
        /** ca-service is down, slow or failing; a retry with the same Idempotency-Key completes the application. */
        CA_UNAVAILABLE
    }

    private final Kind kind;
    private final List<FieldError> violations;
    private final CaRefusal refusal;

    /** What ca-service answered when it refused: its status and problem type. */
    public record CaRefusal(int status, String type, String title) {
    }

    public RegistrationException(Kind kind, String detail) {
        this(kind, detail, List.of(), null, null);
    }

    public RegistrationException(Kind kind, String detail, Throwable cause) {
        this(kind, detail, List.of(), null, cause);
    }

    public RegistrationException(Kind kind, String detail, List<FieldError> violations) {
        this(kind, detail, violations, null, null);
    }

    public RegistrationException(CaRefusal refusal, String detail) {
        this(Kind.CA_REFUSED, detail, List.of(), refusal, null);
    }

    private RegistrationException(Kind kind, String detail, List<FieldError> violations, CaRefusal refusal,
                                  Throwable cause) {
        super(detail, cause);
        this.kind = kind;
        this.violations = List.copyOf(violations);
        this.refusal = refusal;
    }

    public Kind kind() {
        return kind;
    }

    public List<FieldError> violations() {
        return violations;
    }

    public CaRefusal refusal() {
        return refusal;
    }
}
