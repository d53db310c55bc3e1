package jp.inkan.ocsp.crypto;

import java.security.cert.X509Certificate;

/** Signs OCSP responses for one CA key generation: the delegated responder key and its certificate. */
public interface ResponseSigner {

    /** The delegated responder certificate, issued by the CA generation it answers for. */
    X509Certificate certificate();

    /** JCA name, e.g. {@code SHA256withECDSA}. */
    String signatureAlgorithm();

    /** Signs {@code data} (the DER of tbsResponseData) with the responder key. */
    byte[] sign(byte[] data);
}
