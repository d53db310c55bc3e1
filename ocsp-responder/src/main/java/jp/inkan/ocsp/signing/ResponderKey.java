package jp.inkan.ocsp.signing;

import java.security.PublicKey;

/** A responder signing key; its private half stays where it was generated. */
public interface ResponderKey {

    PublicKey publicKey();

    /** JCA signature algorithm, e.g. {@code SHA256withECDSA}. */
    String signatureAlgorithm();

    byte[] sign(byte[] data);
}
