package jp.inkan.ca.issuance;

/** Key types a CA key or a certified subject key may have. */
public enum KeyType {
    RSA_2048("RSA", 2048),
    RSA_3072("RSA", 3072),
    RSA_4096("RSA", 4096),
    EC_P256("EC", 256);

    private final String algorithm;
    private final int size;

    KeyType(String algorithm, int size) {
        this.algorithm = algorithm;
        this.size = size;
    }

    /** JCA key algorithm name. */
    public String algorithm() {
        return algorithm;
    }

    /** Modulus bits for RSA, field bits for EC. */
    public int size() {
        return size;
    }

    public boolean isRsa() {
        return "RSA".equals(algorithm);
    }
}
