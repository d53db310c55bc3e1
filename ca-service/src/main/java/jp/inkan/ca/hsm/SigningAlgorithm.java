package jp.inkan.ca.hsm;

import jp.inkan.ca.issuance.KeyType;

/** How a CA key signs. JPKI uses sha256WithRSAEncryption. */
public enum SigningAlgorithm {
    SHA256_WITH_RSA("SHA256withRSA"),
    SHA256_WITH_ECDSA("SHA256withECDSA");

    private final String jcaName;

    SigningAlgorithm(String jcaName) {
        this.jcaName = jcaName;
    }

    public String jcaName() {
        return jcaName;
    }

    public static SigningAlgorithm forKey(KeyType keyType) {
        return keyType.isRsa() ? SHA256_WITH_RSA : SHA256_WITH_ECDSA;
    }
}
