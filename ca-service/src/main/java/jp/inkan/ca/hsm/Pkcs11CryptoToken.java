package jp.inkan.ca.hsm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jp.inkan.ca.config.HsmConfig;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.issuance.KeyType;
import org.jboss.logging.Logger;

/**
 * CA keys in a PKCS#11 token through the JDK's SunPKCS11 provider.
 *
 * <p>SunPKCS11 keeps a pool of sessions and opens more as concurrent operations need them, so
 * signing threads do not queue on one session. When the token drops its sessions or its login
 * (restart, {@code C_CloseAllSessions}, logout), the whole provider is replaced by a freshly
 * configured and logged-in one and the operation retried: SunPKCS11 would otherwise keep handing
 * out the dead session handles until the service restarts.
 */
@ApplicationScoped
public class Pkcs11CryptoToken implements CryptoToken {

    private static final Logger LOG = Logger.getLogger(Pkcs11CryptoToken.class);

    /** Return values that mean "the token forgot us", not "this request is wrong". */
    private static final List<String> SESSION_LOSS = List.of(
            "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_USER_NOT_LOGGED_IN",
            "CKR_DEVICE_REMOVED", "CKR_DEVICE_ERROR", "CKR_TOKEN_NOT_PRESENT", "CKR_TOKEN_NOT_RECOGNIZED",
            "CKR_KEY_HANDLE_INVALID", "CKR_OBJECT_HANDLE_INVALID", "CKR_CRYPTOKI_NOT_INITIALIZED",
            "Token has been removed");

    private final HsmConfig config;
    private final Object reopenLock = new Object();
    private final AtomicLong reopenings = new AtomicLong();
    private volatile TokenSession current;
    /**
     * Providers replaced after a session loss, kept reachable on purpose: SunPKCS11 closes a
     * provider's sessions by handle when they are garbage-collected, and the token may by then
     * have given those handle numbers to the new provider's live sessions.
     */
    private final java.util.List<TokenSession> retired = new java.util.ArrayList<>();

    /** inkan_hsm_errors_total{error}: session-lost (re-opened and retried), refused, gave-up, open-failed. */
    private final Counter sessionLost;
    private final Counter refused;
    private final Counter gaveUp;
    private final Counter openFailed;

    public Pkcs11CryptoToken(HsmConfig config, MeterRegistry meters) {
        this.config = config;
        sessionLost = hsmErrors(meters, "session-lost");
        refused = hsmErrors(meters, "refused");
        gaveUp = hsmErrors(meters, "gave-up");
        openFailed = hsmErrors(meters, "open-failed");
        FunctionCounter.builder("inkan.hsm.reopenings", reopenings, AtomicLong::get)
                .description("Times the token was re-opened after it dropped our sessions or login").register(meters);
    }

    private static Counter hsmErrors(MeterRegistry meters, String error) {
        return Counter.builder("inkan.hsm.errors").description("Failed PKCS#11 operations, by what happened")
                .tag("error", error).register(meters);
    }

    @Override
    public byte[] sign(String keyAlias, SigningAlgorithm algorithm, byte[] data) {
        return withToken(session -> signWith(session.provider, session.privateKey(keyAlias), algorithm, data));
    }

    @Override
    public byte[] signDigest(String keyAlias, SigningAlgorithm algorithm, byte[] sha256Digest) {
        if (sha256Digest.length != 32) {
            throw new IllegalArgumentException("Not a SHA-256 digest");
        }
        byte[] input = algorithm == SigningAlgorithm.SHA256_WITH_RSA ? sha256DigestInfo(sha256Digest) : sha256Digest;
        String raw = algorithm == SigningAlgorithm.SHA256_WITH_RSA ? "NONEwithRSA" : "NONEwithECDSA";
        return withToken(session -> {
            Signature signature = Signature.getInstance(raw, session.provider);
            signature.initSign(session.privateKey(keyAlias));
            signature.update(input);
            return signature.sign();
        });
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
        return withToken(session -> {
            Certificate certificate = session.keyStore.getCertificate(alias);
            if (certificate == null || !session.keyStore.isKeyEntry(alias)) {
                return Optional.<StoredKey>empty();
            }
            return Optional.of(new StoredKey(alias, certificate.getPublicKey(), certificate.getEncoded()));
        });
    }

    @Override
    public PendingKey generate(KeyType keyType) {
        return withToken(session -> {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(keyType.algorithm(), session.provider);
            if (keyType.isRsa()) {
                generator.initialize(new RSAKeyGenParameterSpec(keyType.size(), RSAKeyGenParameterSpec.F4));
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            KeyPair pair = generator.generateKeyPair();
            return new P11PendingKey(session, pair);
        });
    }

    @Override
    public StoredKey store(PendingKey key, String alias, byte[] certificateDer) {
        P11PendingKey pending = (P11PendingKey) key;
        return withToken(session -> {
            if (session != pending.session) {
                throw new CaException(CaException.Kind.HSM_UNAVAILABLE,
                        "The token was re-opened after the key was generated; generate it again");
            }
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificateDer));
            session.keyStore.setKeyEntry(alias, pending.pair.getPrivate(), null, new Certificate[] {certificate});
            session.keys.remove(alias);
            return new StoredKey(alias, certificate.getPublicKey(), certificateDer);
        });
    }

    @Override
    public boolean destroy(String alias) {
        return withToken(session -> {
            if (!session.keyStore.containsAlias(alias)) {
                return false;
            }
            // SunPKCS11 destroys the private key, its public key and certificate objects.
            session.keyStore.deleteEntry(alias);
            session.keys.remove(alias);
            return true;
        });
    }

    @Override
    public void probe() {
        withToken(session -> {
            SecureRandom.getInstance("PKCS11", session.provider).nextBytes(new byte[8]);
            return null;
        });
    }

    /** How many times the token had to be re-opened; for metrics and tests. */
    public long reopenings() {
        return reopenings.get();
    }

    /** The provider in use now; tests reach through it to make the token drop its sessions. */
    Provider currentProvider() {
        return session().provider;
    }

    @PreDestroy
    void close() {
        TokenSession session = current;
        if (session != null) {
            try {
                ((java.security.AuthProvider) session.provider).logout();
            } catch (Exception e) {
                LOG.debug("Logout at shutdown failed", e);
            }
        }
    }

    private interface TokenOperation<T> {
        T apply(TokenSession session) throws GeneralSecurityException, IOException;
    }

    private <T> T withToken(TokenOperation<T> operation) {
        for (int attempt = 0; ; attempt++) {
            TokenSession session = session();
            try {
                return operation.apply(session);
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                if (e instanceof CaException caException) {
                    throw caException;
                }
                Optional<String> loss = sessionLoss(e);
                if (loss.isEmpty()) {
                    refused.increment();
                    throw new CaException(CaException.Kind.HSM_UNAVAILABLE, "The HSM refused the operation", e);
                }
                sessionLost.increment();
                if (attempt >= config.reopenAttempts()) {
                    gaveUp.increment();
                    throw new CaException(CaException.Kind.HSM_UNAVAILABLE,
                            "The HSM keeps dropping its sessions (" + loss.get() + ")", e);
                }
                LOG.warnf("HSM token dropped its session (%s); re-opening it and retrying", loss.get());
                reopen(session);
            }
        }
    }

    private TokenSession session() {
        TokenSession session = current;
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

    private void reopen(TokenSession broken) {
        synchronized (reopenLock) {
            if (current == broken) {
                // The broken provider is dropped, not logged out: login state is shared by every
                // session of this process on the token, so a logout would also end the new login.
                retired.add(broken);
                current = null;
                current = open();
                reopenings.incrementAndGet();
            }
        }
    }

    private TokenSession open() {
        char[] pin = pin();
        try {
            Provider provider = Security.getProvider("SunPKCS11").configure("--" + providerConfig());
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, pin);
            LOG.infof("Opened PKCS#11 token (library %s, %s)", config.library(), slotDescription());
            return new TokenSession(provider, keyStore);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            openFailed.increment();
            throw new CaException(CaException.Kind.HSM_UNAVAILABLE,
                    "Cannot open the PKCS#11 token (" + slotDescription() + ")", e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    String providerConfig() {
        return String.join("\n",
                "name = inkan",
                "library = " + config.library(),
                slotLine(),
                // Generated keys live in the token, usable only after login, and can never be read out.
                "attributes(generate, CKO_PRIVATE_KEY, *) = {",
                "  CKA_TOKEN = true",
                "  CKA_PRIVATE = true",
                "  CKA_SENSITIVE = true",
                "  CKA_EXTRACTABLE = false",
                "  CKA_SIGN = true",
                "  CKA_DECRYPT = false",
                "  CKA_UNWRAP = false",
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
            return "slot = " + config.slot().getAsLong();
        }
        return "slotListIndex = " + config.slotListIndex().orElse(0);
    }

    private String slotDescription() {
        return config.slot().isPresent() ? "slot " + config.slot().getAsLong()
                : "slot list index " + config.slotListIndex().orElse(0);
    }

    private char[] pin() {
        try {
            if (config.pinFile().isPresent()) {
                String content = Files.readString(config.pinFile().get(), StandardCharsets.UTF_8);
                return content.lines().findFirst().orElse("").toCharArray();
            }
        } catch (IOException e) {
            throw new CaException(CaException.Kind.HSM_UNAVAILABLE, "Cannot read the HSM PIN file", e);
        }
        String fromEnv = System.getenv(config.pinEnv());
        if (fromEnv == null || fromEnv.isEmpty()) {
            throw new CaException(CaException.Kind.HSM_UNAVAILABLE,
                    "No HSM PIN: set " + config.pinEnv() + " or inkan.hsm.pin-file");
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

    private static byte[] signWith(Provider provider, PrivateKey key, SigningAlgorithm algorithm, byte[] data)
            throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithm.jcaName(), provider);
        signature.initSign(key);
        signature.update(data);
        return signature.sign();
    }

    /** One configured, logged-in provider and the key handles found through it. */
    private static final class TokenSession {
        final Provider provider;
        final KeyStore keyStore;
        final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();

        TokenSession(Provider provider, KeyStore keyStore) {
            this.provider = provider;
            this.keyStore = keyStore;
        }

        PrivateKey privateKey(String alias) throws GeneralSecurityException {
            PrivateKey key = keys.get(alias);
            if (key == null) {
                key = (PrivateKey) keyStore.getKey(alias, null);
                if (key == null) {
                    throw new CaException(CaException.Kind.HSM_UNAVAILABLE, "No key '" + alias + "' in the token");
                }
                keys.put(alias, key);
            }
            return key;
        }
    }

    private final class P11PendingKey implements PendingKey {
        final TokenSession session;
        final KeyPair pair;

        P11PendingKey(TokenSession session, KeyPair pair) {
            this.session = session;
            this.pair = pair;
        }

        @Override
        public PublicKey publicKey() {
            return pair.getPublic();
        }

        @Override
        public byte[] sign(SigningAlgorithm algorithm, byte[] data) {
            return withToken(s -> signWith(session.provider, pair.getPrivate(), algorithm, data));
        }
    }
}
