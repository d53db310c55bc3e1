package jp.inkan.ca.hsm;

import java.security.PublicKey;
import java.util.Optional;
import jp.inkan.ca.issuance.KeyType;

/** A token that holds CA keys: they are generated inside it and never leave it. */
public interface CryptoToken extends CertificateSigner {

    /** A key stored under {@code alias} together with its certificate. */
    record StoredKey(String alias, PublicKey publicKey, byte[] certificateDer) {
    }

    /** A freshly generated key pair that has no alias yet: its first use is to sign its own certificate. */
    interface PendingKey {
        PublicKey publicKey();

        byte[] sign(SigningAlgorithm algorithm, byte[] data);
    }

    Optional<StoredKey> find(String alias);

    /** Generates a non-extractable, sensitive key pair inside the token. */
    PendingKey generate(KeyType keyType);

    /** Names a pending key with {@code alias} and stores its certificate beside it. */
    StoredKey store(PendingKey key, String alias, byte[] certificateDer);

    /**
     * Destroys the key (and its certificate) stored under {@code alias}; returns false when there
     * was none. Irreversible: used when a CA key generation is retired.
     */
    boolean destroy(String alias);

    /** Touches the token for real (a random-number call) so readiness reflects its state. */
    void probe();
}
