package jp.inkan.ca.hsm;

/** The seam every signature (certificates, later CRLs and responder certificates) goes through. */
public interface CertificateSigner {

    /**
     * Signs {@code data} with the token key named {@code keyAlias}.
     *
     * @throws jp.inkan.ca.error.CaException of kind HSM_UNAVAILABLE when the token cannot sign
     */
    byte[] sign(String keyAlias, SigningAlgorithm algorithm, byte[] data);
}
