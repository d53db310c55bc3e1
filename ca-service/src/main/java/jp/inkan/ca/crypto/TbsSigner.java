package jp.inkan.ca.crypto;

/** Signs the DER of a to-be-signed structure; backed by the HSM. */
@FunctionalInterface
public interface TbsSigner {
    byte[] sign(byte[] tbs);
}
