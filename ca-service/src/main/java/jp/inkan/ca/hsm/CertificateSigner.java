package jp.inkan.ca.hsm;

/** The seam every signature (certificates, later CRLs and responder certificates) goes through. */
public interface CertificateSigner {

    /**
     * Signs {@code data} with the token key named {@code keyAlias}.
     *
     * @throws jp.inkan.ca.error.CaException of kind HSM_UNAVAILABLE when the token cannot sign
     */
    byte[] sign(String keyAlias, SigningAlgorithm algorithm, byte[] data);

    /**
     * Signs a SHA-256 digest the caller computed over content too large to pass whole (CRLs of a
     * million entries are hashed while they stream in and validated on the way). RSA keys sign the
     * PKCS#1 v1.5 DigestInfo of the digest, EC keys the digest itself: the same signature the
     * corresponding {@link SigningAlgorithm} would produce over the content.
     */
    default byte[] signDigest(String keyAlias, SigningAlgorithm algorithm, byte[] sha256Digest) {
        throw new UnsupportedOperationException("This signer cannot sign precomputed digests");
    }
}
