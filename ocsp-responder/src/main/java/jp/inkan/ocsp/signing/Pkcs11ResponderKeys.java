package jp.inkan.ocsp.signing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import jp.inkan.ocsp.config.OcspConfig;
import org.jboss.logging.Logger;

/**
 * Responder keys (EC P-256) in the responder's own PKCS#11 token through SunPKCS11: generated
 * inside the token as private, sensitive, never-extractable, sign-only token objects. When the
 * token drops our sessions or login the provider is replaced by a freshly logged-in one and the
 * operation retried, as ca-service's token does (SunPKCS11 would keep handing out dead handles).
 */
@ApplicationScoped
public class Pkcs11ResponderKeys implements ResponderKeys {

    private static final Logger LOG = Logger.getLogger(Pkcs11ResponderKeys.class);
    static final String ALGORITHM = "SHA256withECDSA";

    private static final List<String> SESSION_LOSS = List.of(
            "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_USER_NOT_LOGGED_IN",
            "CKR_DEVICE_REMOVED", "CKR_DEVICE_ERROR", "CKR_TOKEN_NOT_PRESENT", "CKR_TOKEN_NOT_RECOGNIZED",
            "CKR_KEY_HANDLE_INVALID", "CKR_OBJECT_HANDLE_INVALID", "CKR_CRYPTOKI_NOT_INITIALIZED",
            "Token has been removed");

    private final OcspConfig.Hsm config;
    private final Object reopenLock = new Object();
    private volatile Session current;
    /** Replaced providers stay reachable: their finalisation would close handle numbers now reused. */
    private final List<Session> retired = new ArrayList<>();

    /** inkan_hsm_errors_total{error}: as in ca-service. */
    private final Counter sessionLost;
    private final Counter refused;
    private final Counter gaveUp;
    private final Counter openFailed;

    public Pkcs11ResponderKeys(OcspConfig config, MeterRegistry meters) {
        this.config = config.responderCertificates().hsm();
        sessionLost = hsmErrors(meters, "session-lost");
        refused = hsmErrors(meters, "refused");
        gaveUp = hsmErrors(meters, "gave-up");
        openFailed = hsmErrors(meters, "open-failed");
    }

    private static Counter hsmErrors(MeterRegistry meters, String error) {
        return Counter.builder("inkan.hsm.errors").description("Failed PKCS#11 operations, by what happened")
                .tag("error", error).register(meters);
    }

    private record Session(Provider provider, KeyStore keyStore, Map<String, PrivateKey> keys) {
        PrivateKey key(String alias) throws GeneralSecurityException {
            PrivateKey key = keys.get(alias);
            if (key == null) {
                key = (PrivateKey) keyStore.getKey(alias, null);
                if (key == null) {
                    throw new HsmUnavailableException("No key '" + alias + "' in the responder's token");
                }
                keys.put(alias, key);
            }
            return key;
        }
    }

    private interface Operation<T> {
        T apply(Session session) throws GeneralSecurityException, IOException;
    }

    @Override
    public Optional<ResponderKey> find(String alias) {
        return withToken(session -> {
            if (!session.keyStore().isKeyEntry(alias)) {
                return Optional.<ResponderKey>empty();
            }
            PublicKey publicKey = session.keyStore().getCertificate(alias).getPublicKey();
            return Optional.<ResponderKey>of(new StoredKey(alias, publicKey));
        });
    }

    @Override
    public ResponderKey generate() {
        return withToken(session -> {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", session.provider());
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return new PendingKey(session, generator.generateKeyPair());
        });
    }

    @Override
    public void store(ResponderKey key, String alias, X509Certificate certificate) {
        PendingKey pending = (PendingKey) key;
        withToken(session -> {
            if (session != pending.session) {
                throw new HsmUnavailableException("The token was re-opened after the key was generated; generate it again");
            }
            session.keyStore().setKeyEntry(alias, pending.pair.getPrivate(), null, new Certificate[] {certificate});
            return null;
        });
    }

    @Override
    public void probe() {
        withToken(session -> {
            SecureRandom.getInstance("PKCS11", session.provider()).nextBytes(new byte[8]);
            return null;
        });
    }

    @PreDestroy
    void close() {
        Session session = current;
        if (session != null) {
            try {
                ((AuthProvider) session.provider()).logout();
            } catch (Exception e) {
                LOG.debug("Logout at shutdown failed", e);
            }
        }
    }

    private byte[] sign(Session session, PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(ALGORITHM, session.provider());
        signature.initSign(key);
        signature.update(data);
        return signature.sign();
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
            return withToken(session -> Pkcs11ResponderKeys.this.sign(session, session.key(alias), data));
        }
    }

    private final class PendingKey implements ResponderKey {
        final Session session;
        final KeyPair pair;

        PendingKey(Session session, KeyPair pair) {
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
            return withToken(s -> Pkcs11ResponderKeys.this.sign(session, pair.getPrivate(), data));
        }
    }

    private <T> T withToken(Operation<T> operation) {
        for (int attempt = 0; ; attempt++) {
            Session session = session();
            try {
                return operation.apply(session);
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                if (e instanceof HsmUnavailableException h) {
                    throw h;
                }
                Optional<String> loss = sessionLoss(e);
                if (loss.isEmpty()) {
                    refused.increment();
                    throw new HsmUnavailableException("The HSM refused the operation", e);
                }
                sessionLost.increment();
                if (attempt >= config.reopenAttempts()) {
                    gaveUp.increment();
                    throw new HsmUnavailableException("The HSM keeps dropping its sessions (" + loss.get() + ")", e);
                }
                LOG.warnf("Responder token dropped its session (%s); re-opening it and retrying", loss.get());
                reopen(session);
            }
        }
    }

    private Session session() {
        Session session = current;
        if (session != null) {
            return session;
        }
        synchronized (reopenLock) {
            if (current == null) {
                current = open();
            }
            return current;
        }
    }

    private void reopen(Session broken) {
        synchronized (reopenLock) {
            if (current == broken) {
                retired.add(broken);
                current = null;
                current = open();
            }
        }
    }

    private Session open() {
        char[] pin = pin();
        try {
            Provider provider = Security.getProvider("SunPKCS11").configure("--" + providerConfig());
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, pin);
            LOG.infof("Opened the responder's PKCS#11 token (library %s, %s)", config.library(), slotLine());
            return new Session(provider, keyStore, new ConcurrentHashMap<>());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            openFailed.increment();
            throw new HsmUnavailableException("Cannot open the responder's PKCS#11 token (" + slotLine() + ")", e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private String providerConfig() {
        return String.join("\n",
                "name = inkan-ocsp",
                "library = " + config.library(),
                slotLine(),
                // Keys live in the token, usable only after login, never readable, sign-only.
                "attributes(generate, CKO_PRIVATE_KEY, *) = {",
                "  CKA_TOKEN = true",
                "  CKA_PRIVATE = true",
                "  CKA_SENSITIVE = true",
                "  CKA_EXTRACTABLE = false",
                "  CKA_SIGN = true",
                "  CKA_DECRYPT = false",
                "  CKA_UNWRAP = false",
                "  CKA_DERIVE = false",
                "}",
                "attributes(generate, CKO_PUBLIC_KEY, *) = {",
                "  CKA_TOKEN = true",
                "  CKA_VERIFY = true",
                "  CKA_ENCRYPT = false",
                "  CKA_WRAP = false",
                "}",
                "");
    }

    private String slotLine() {
        if (config.slot().isPresent()) {
            return "slot = " + config.slot().get();
        }
        return "slotListIndex = " + config.slotListIndex().orElse(0);
    }

    private char[] pin() {
        try {
            if (config.pinFile().isPresent()) {
                String content = Files.readString(config.pinFile().get(), StandardCharsets.UTF_8);
                return content.lines().findFirst().orElse("").toCharArray();
            }
        } catch (IOException e) {
            throw new HsmUnavailableException("Cannot read the HSM PIN file");
        }
        String fromEnv = System.getenv(config.pinEnv());
        if (fromEnv == null || fromEnv.isEmpty()) {
            throw new HsmUnavailableException("No HSM PIN: set " + config.pinEnv() + " or the pin-file");
        }
        return fromEnv.toCharArray();
    }

    static Optional<String> sessionLoss(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String text = t.getClass().getName() + ": " + t.getMessage();
            for (String code : SESSION_LOSS) {
                if (text.contains(code)) {
                    return Optional.of(code);
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }
}
