package jp.inkan.ocsp.access;

/** Who may ask about one CA's certificates (config values {@code open}, {@code mtls}, {@code signed-request}). */
public enum AccessMode {
    /** Anyone (responses are signed; nothing else is checked). */
    OPEN,
    /** A TLS client certificate of an active relying party entitled to the CA. */
    MTLS,
    /** An RFC 6960 §4.1.2 request signature by a registered signer of such a party, and a nonce. */
    SIGNED_REQUEST
}
