package jp.inkan.ca.hsm;

import java.security.PublicKey;
import java.util.Optional;
import jp.inkan.ca.issuance.KeyType;

/** A token that holds CA keys: they are generated inside it and never leave it. */
public interface CryptoToken extends CertificateSigner {

    /** A key stored under {@code alias}. */
    record StoredKey(String alias, PublicKey publicKey) {
    }

    Optional<StoredKey> find(String alias);

    /**
     * Generates a non-extractable, sensitive key pair inside the token and stores it under
     * {@code alias}. What the token keeps beside the key to find it again is the token's business;
     * certificates made with the key (a CA's root) are the caller's.
     */
    StoredKey generate(KeyType keyType, String alias);

    /**
     * Destroys the key stored under {@code alias}, and all the token kept beside it; returns false
     * when there was none. Irreversible: used when a CA key generation is retired.
     */
    boolean destroy(String alias);

    /** Touches the token for real (a random-number call) so readiness reflects its state. */
    void probe();
}
