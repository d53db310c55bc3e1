package jp.inkan.ocsp.testing;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import jp.inkan.ocsp.signing.ResponderKey;
import jp.inkan.ocsp.signing.ResponderKeys;

/** Responder keys in memory: unit tests only (the service uses the PKCS#11 token). */
public final class SoftwareResponderKeys implements ResponderKeys {

    private final Map<String, ResponderKey> stored = new ConcurrentHashMap<>();
    public final AtomicInteger generated = new AtomicInteger();

    @Override
    public Optional<ResponderKey> find(String alias) {
        return Optional.ofNullable(stored.get(alias));
    }

    @Override
    public ResponderKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            generated.incrementAndGet();
            return new ResponderKey() {
                @Override
                public PublicKey publicKey() {
                    return pair.getPublic();
                }

                @Override
                public String signatureAlgorithm() {
                    return "SHA256withECDSA";
                }

                @Override
                public byte[] sign(byte[] data) {
                    try {
                        Signature signature = Signature.getInstance("SHA256withECDSA");
                        signature.initSign(pair.getPrivate());
                        signature.update(data);
                        return signature.sign();
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void store(ResponderKey key, String alias, X509Certificate certificate) {
        stored.put(alias, key);
    }

    @Override
    public void probe() {
    }
}
