package jp.inkan.ocsp.access;

import jp.inkan.common.relyingparty.RelyingParty;

/**
 * Who is asking, as far as the TLS connection tells (signed requests are checked later, against
 * the request itself).
 *
 * @param party       the registered party whose client certificate was presented, or null
 * @param fingerprint SHA-256 of the presented client certificate, or null without one
 */
public record Caller(RelyingParty party, String fingerprint) {

    public static final Caller ANONYMOUS = new Caller(null, null);
    /** Names refusals of callers who are no registered party are counted under (a fixed, small label set). */
    public static final String NO_CERTIFICATE = "anonymous";
    public static final String UNREGISTERED = "unregistered";
    public static final String UNREGISTERED_SIGNER = "unregistered-signer";
    public static final java.util.List<String> UNKNOWN_CALLERS = java.util.List.of(NO_CERTIFICATE, UNREGISTERED, UNREGISTERED_SIGNER);

    public boolean presentedCertificate() {
        return fingerprint != null;
    }

    /** The name refusals are counted under: the party's id, else what little is known. */
    public String accountingName() {
        if (party != null) {
            return party.id();
        }
        return fingerprint == null ? NO_CERTIFICATE : UNREGISTERED;
    }
}
