package jp.inkan.ocsp.signing;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import jp.inkan.common.pkcs11.Pkcs11Token;
import jp.inkan.ocsp.config.OcspConfig;

/**
 * Responder keys (EC P-256) in the responder's own PKCS#11 token through SunPKCS11: generated
 * inside the token as private, sensitive, never-extractable, sign-only token objects. When the
 * token drops our sessions or login the provider is replaced by a freshly logged-in one and the
 * operation retried ({@link Pkcs11Token}, as in ca-service).
 */
@ApplicationScoped
public class Pkcs11ResponderKeys implements ResponderKeys {

    static final String ALGORITHM = "SHA256withECDSA";

    private final Pkcs11Token token;

    public Pkcs11ResponderKeys(OcspConfig config, MeterRegistry meters) {
        OcspConfig.Hsm hsm = config.responderCertificates().hsm();
        token = new Pkcs11Token(new Pkcs11Token.Settings("inkan-ocsp", hsm.library(),
                hsm.slot().map(OptionalLong::of).orElse(OptionalLong.empty()),
                hsm.slotListIndex().map(OptionalInt::of).orElse(OptionalInt.empty()), hsm.pinFile(), hsm.pinEnv(),
                "inkan.ocsp.responder-certificates.hsm.pin-file", hsm.reopenAttempts()),
                new Pkcs11Token.Errors(HsmUnavailableException.class, HsmUnavailableException::new), meters);
    }

    @Override
    public Optional<ResponderKey> find(String alias) {
        return token.with(session -> {
            if (!session.keyStore().isKeyEntry(alias)) {
                return Optional.<ResponderKey>empty();
            }
            PublicKey publicKey = session.keyStore().getCertificate(alias).getPublicKey();
            return Optional.<ResponderKey>of(new StoredKey(alias, publicKey));
        });
    }

    @Override
    public ResponderKey generate() {
        return token.with(session -> {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", session.provider());
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return new PendingKey(session, generator.generateKeyPair());
        });
    }

    @Override
    public void store(ResponderKey key, String alias, X509Certificate certificate) {
        PendingKey pending = (PendingKey) key;
        token.with(session -> {
            if (session != pending.session) {
                throw new HsmUnavailableException("The token was re-opened after the key was generated; generate it again");
            }
            session.store(alias, pending.pair.getPrivate(), certificate);
            return null;
        });
    }

    @Override
    public void probe() {
        token.probe();
    }

    @PreDestroy
    void close() {
        token.close();
    }

    private final class StoredKey implements ResponderKey {
        private final String alias;
        private final PublicKey publicKey;

        StoredKey(String alias, PublicKey publicKey) {
            this.alias = alias;
            this.publicKey = publicKey;
        }

        @Override
        public PublicKey publicKey() {
            return publicKey;
        }

        @Override
        public String signatureAlgorithm() {
            return ALGORITHM;
        }

        @Override
        public byte[] sign(byte[] data) {
            // The key handle is looked up per provider: after a re-open the old handle is dead.
            return token.with(session -> session.sign(ALGORITHM, session.privateKey(alias), data));
        }
    }

    private final class PendingKey implements ResponderKey {
        final Pkcs11Token.Session session;
        final KeyPair pair;

        PendingKey(Pkcs11Token.Session session, KeyPair pair) {
            this.session = session;
            this.pair = pair;
        }

        @Override
        public PublicKey publicKey() {
            return pair.getPublic();
        }

        @Override
        public String signatureAlgorithm() {
            return ALGORITHM;
        }

        @Override
        public byte[] sign(byte[] data) {
            return token.with(s -> session.sign(ALGORITHM, pair.getPrivate(), data));
        }
    }
}
