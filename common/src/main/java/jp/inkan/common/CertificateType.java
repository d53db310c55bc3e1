package jp.inkan.common;

/**
 * The two certificates on a resident's card. Each is issued by its own CA (a distinct key and root),
 * so the type also names the issuing CA.
 */
public enum CertificateType {
    /** 署名用電子証明書: carries the holder's basic four facts. */
    SIGNATURE,
    /** 利用者証明用電子証明書: carries no personal data. */
    AUTHENTICATION
}
