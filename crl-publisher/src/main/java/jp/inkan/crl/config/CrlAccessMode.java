package jp.inkan.crl.config;

/**
 * Who may download a CA's CRLs: anyone, or registered and active relying parties entitled to that
 * CA, by TLS client certificate. CRLs carry no request to sign, so there is no signed-request mode.
 */
public enum CrlAccessMode {
    OPEN, MTLS
}
