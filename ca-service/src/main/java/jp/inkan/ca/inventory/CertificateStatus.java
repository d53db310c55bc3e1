package jp.inkan.ca.inventory;

/** Where a certificate stands in its life. */
public enum CertificateStatus {
    VALID, ON_HOLD, REVOKED
}
