package jp.inkan.ca.crypto;

import java.security.PublicKey;

/**
 * A CSR whose signature verified (proof of possession). Only the key is used: the subject and
 * extensions a client asks for are ignored, the profile decides them.
 */
public record DecodedCsr(PublicKey publicKey, byte[] subjectPublicKeyInfo) {
}
