package jp.inkan.ca.hsm;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.ProviderException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Clock;
import java.util.Optional;
import jp.inkan.ca.config.HsmConfig;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.issuance.KeyType;
import jp.inkan.ca.issuance.SerialNumbers;
import jp.inkan.common.pkcs11.Pkcs11Token;

/**
 * CA keys in a PKCS#11 token through the JDK's SunPKCS11 provider, re-opened and the operation
 * retried when the token drops our sessions or login ({@link Pkcs11Token}).
 */
@ApplicationScoped
public class Pkcs11CryptoToken implements CryptoToken {

    private final Pkcs11Token token;
    private final X509Encoder encoder;
    private final SerialNumbers serials;
    private final Clock clock;

    public Pkcs11CryptoToken(HsmConfig config, MeterRegistry meters, X509Encoder encoder, SerialNumbers serials,
                             Clock clock) {
        this.encoder = encoder;
        this.serials = serials;
        this.clock = clock;
        token = new Pkcs11Token(new Pkcs11Token.Settings("inkan", config.library(), config.slot(), config.slotListIndex(),
                config.pinFile(), config.pinEnv(), "inkan.hsm.pin-file", config.reopenAttempts()),
                new Pkcs11Token.Errors(CaException.class,
                        (message, cause) -> new CaException(CaException.Kind.HSM_UNAVAILABLE, message, cause)),
                meters);
    }

    @Override
    public byte[] sign(String keyAlias, SigningAlgorithm algorithm, byte[] data) {
        return token.with(session -> session.sign(algorithm.jcaName(), session.privateKey(keyAlias), data));
    }

    @Override
    public byte[] signDigest(String keyAlias, SigningAlgorithm algorithm, byte[] sha256Digest) {
        if (sha256Digest.length != 32) {
            throw new IllegalArgumentException("Not a SHA-256 digest");
        }
        byte[] input = algorithm == SigningAlgorithm.SHA256_WITH_RSA ? sha256DigestInfo(sha256Digest) : sha256Digest;
        String raw = algorithm == SigningAlgorithm.SHA256_WITH_RSA ? "NONEwithRSA" : "NONEwithECDSA";
        return token.with(session -> session.sign(raw, session.privateKey(keyAlias), input));
    }

    /** DER DigestInfo { sha256, NULL } followed by the digest (RFC 8017 §9.2, note 1). */
    private static byte[] sha256DigestInfo(byte[] digest) {
        byte[] prefix = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                0x05, 0x00, 0x04, 0x20};
        byte[] out = java.util.Arrays.copyOf(prefix, prefix.length + digest.length);
        System.arraycopy(digest, 0, out, prefix.length, digest.length);
        return out;
    }

    @Override
    public Optional<StoredKey> find(String alias) {
        return token.with(session -> {
            Certificate certificate = session.keyStore().getCertificate(alias);
            if (certificate == null || !session.keyStore().isKeyEntry(alias)) {
                return Optional.<StoredKey>empty();
            }
            return Optional.of(new StoredKey(alias, certificate.getPublicKey()));
        });
    }

    @Override
    public StoredKey generate(KeyType keyType, String alias) {
        // One operation on one provider: a re-open in between would leave a key nothing can find.
        return token.with(session -> {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(keyType.algorithm(), session.provider());
            if (keyType.isRsa()) {
                generator.initialize(new RSAKeyGenParameterSpec(keyType.size(), RSAKeyGenParameterSpec.F4));
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            KeyPair pair = generator.generateKeyPair();
            SigningAlgorithm algorithm = SigningAlgorithm.forKey(keyType);
            // A PKCS#11 key entry is a key and a certificate with the same CKA_ID: the key signs its own.
            byte[] holder = encoder.keyHolder(alias, serials.next(), clock.instant(),
                    pair.getPublic(), algorithm, tbs -> {
                        try {
                            return session.sign(algorithm.jcaName(), pair.getPrivate(), tbs);
                        } catch (GeneralSecurityException e) {
                            throw new ProviderException(e); // with() tells a session loss from a refusal by the cause
                        }
                    });
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(holder));
            session.store(alias, pair.getPrivate(), certificate);
            // The certificate's copy of the public key: no handle into the token, which a re-open would kill.
            return new StoredKey(alias, certificate.getPublicKey());
        });
    }

    @Override
    public boolean destroy(String alias) {
        return token.with(session -> session.delete(alias));
    }

    @Override
    public void probe() {
        token.probe();
    }

    /** How many times the token had to be re-opened; for metrics and tests. */
    public long reopenings() {
        return token.reopenings();
    }

    /** The provider in use now; tests reach through it to make the token drop its sessions. */
    Provider currentProvider() {
        return token.session().provider();
    }

    @PreDestroy
    void close() {
        token.close();
    }
}
