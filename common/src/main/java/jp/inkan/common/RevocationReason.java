package jp.inkan.common;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * Why a certificate stopped being valid, as RFC 5280 §5.3.1 CRLReason names and numbers it. JPKI
 * uses the first five for revocation, {@code certificateHold} for the loss line, and
 * {@code removeFromCRL} only when an operator releases a hold.
 */
public enum RevocationReason {
    UNSPECIFIED(0, "unspecified"),
    KEY_COMPROMISE(1, "keyCompromise"),
    AFFILIATION_CHANGED(3, "affiliationChanged"),
    SUPERSEDED(4, "superseded"),
    CESSATION_OF_OPERATION(5, "cessationOfOperation"),
    CERTIFICATE_HOLD(6, "certificateHold"),
    REMOVE_FROM_CRL(8, "removeFromCRL");

    private final int code;
    private final String rfcName;

    RevocationReason(int code, String rfcName) {
        this.code = code;
        this.rfcName = rfcName;
    }

    /** The CRLReason value in CRL entries and OCSP responses. */
    public int code() {
        return code;
    }

    /** The RFC 5280 name, also the JSON form. */
    @JsonValue
    public String rfcName() {
        return rfcName;
    }

    /** Whether a caller may ask for this reason when revoking (hold and release have their own calls). */
    public boolean isRevocation() {
        return this != CERTIFICATE_HOLD && this != REMOVE_FROM_CRL;
    }

    public static Optional<RevocationReason> byName(String name) {
        return Arrays.stream(values()).filter(r -> r.rfcName.equals(name)).findFirst();
    }

    @JsonCreator
    static RevocationReason json(String name) {
        return byName(name).orElseThrow(() -> new IllegalArgumentException("unknown revocation reason " + name));
    }
}
