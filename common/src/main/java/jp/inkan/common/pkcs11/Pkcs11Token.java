package jp.inkan.common.pkcs11;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * A PKCS#11 token through the JDK's SunPKCS11 provider that outlives the token dropping our
 * sessions or login (restart, {@code C_CloseAllSessions}, logout): the whole provider is replaced
 * by a freshly configured, logged-in one and the operation retried, up to a configured number of
 * times. SunPKCS11 would otherwise keep handing out the dead session handles until the service
 * restarts. Within one provider SunPKCS11 keeps a pool of sessions and opens more as concurrent
 * operations need them, so signing threads do not queue on one session.
 *
 * <p>Private keys generated through it are token objects, private, sensitive, never extractable and
 * sign-only; their public keys live only in the certificates stored with them. Failures become the
 * owning service's own exception ({@link Errors}); metrics are
 * {@code inkan_hsm_errors_total{error}} (session-lost, refused, gave-up, open-failed) and
 * {@code inkan_hsm_reopenings_total}.
 */
public final class Pkcs11Token {

    private static final Logger LOG = Logger.getLogger(Pkcs11Token.class);

    /** Return values that mean "the token forgot us", not "this request is wrong". */
    private static final List<String> SESSION_LOSS = List.of(
            "CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_USER_NOT_LOGGED_IN",
            "CKR_DEVICE_REMOVED", "CKR_DEVICE_ERROR", "CKR_TOKEN_NOT_PRESENT", "CKR_TOKEN_NOT_RECOGNIZED",
            "CKR_KEY_HANDLE_INVALID", "CKR_OBJECT_HANDLE_INVALID", "CKR_CRYPTOKI_NOT_INITIALIZED",
            "Token has been removed");

    /**
     * Where the token is and how to log in. SunPKCS11 addresses a token by slot id or slot list
     * index (it has no token-label keyword).
     *
     * @param name           the provider's name suffix, and what log lines call the token
     * @param pinFile        file holding the user PIN (first line); wins over {@code pinEnv}
     * @param reopenAttempts how many times one operation may re-open the token before giving up
     */
    public record Settings(String name, String library, OptionalLong slot, OptionalInt slotListIndex,
                           Optional<Path> pinFile, String pinEnv, String pinFileProperty, int reopenAttempts) {
    }

    /** The owning service's errors: what passes through untouched, and how "unavailable" is said. */
    public record Errors(Class<? extends RuntimeException> own,
                         BiFunction<String, Throwable, ? extends RuntimeException> unavailable) {
    }

    @FunctionalInterface
    public interface Operation<T> {
        T apply(Session session) throws GeneralSecurityException, IOException;
    }

    /** One configured, logged-in provider and the key handles found through it. */
    public static final class Session {
        private final Provider provider;
        private final KeyStore keyStore;
        private final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();
        private final Errors errors;

        Session(Provider provider, KeyStore keyStore, Errors errors) {
            this.provider = provider;
            this.keyStore = keyStore;
            this.errors = errors;
        }

        public Provider provider() {
            return provider;
        }

        public KeyStore keyStore() {
            return keyStore;
        }

        /** The private key under {@code alias}, looked up once per provider (a re-open kills old handles). */
        public PrivateKey privateKey(String alias) throws GeneralSecurityException {
            PrivateKey key = keys.get(alias);
            if (key == null) {
                key = (PrivateKey) keyStore.getKey(alias, null);
                if (key == null) {
                    throw errors.unavailable().apply("No key '" + alias + "' in the token", null);
                }
                keys.put(alias, key);
            }
            return key;
        }

        /** Forgets a cached handle (the entry was replaced or deleted). */
        public void forget(String alias) {
            keys.remove(alias);
        }

        /** Signs {@code data} with {@code key} through this provider. */
        public byte[] sign(String jcaAlgorithm, PrivateKey key, byte[] data) throws GeneralSecurityException {
            Signature signature = Signature.getInstance(jcaAlgorithm, provider);
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        }

        /**
         * Deletes the entry under {@code alias}, its key and its certificate; false if there was none.
         * SunPKCS11 (25, not 17) keeps the certificate when another certificate on the token names
         * its subject as issuer, so each entry's certificate should name its key alone.
         */
        public boolean delete(String alias) throws KeyStoreException {
            if (!keyStore.containsAlias(alias)) {
                return false;
            }
            keyStore.deleteEntry(alias);
            forget(alias);
            return true;
        }

        /** Stores a key generated through this provider under {@code alias}, with its certificate. */
        public void store(String alias, PrivateKey key, X509Certificate certificate) throws KeyStoreException {
            keyStore.setKeyEntry(alias, key, null, new Certificate[] {certificate});
            forget(alias);
        }
    }

    private final Settings settings;
    private final Errors errors;
    private final Object reopenLock = new Object();
    private final AtomicLong reopenings = new AtomicLong();
    private volatile Session current;
    /**
     * Providers replaced after a session loss, kept reachable on purpose: SunPKCS11 closes a
     * provider's sessions by handle when they are garbage-collected, and the token may by then
     * have given those handle numbers to the new provider's live sessions.
     */
    private final List<Session> retired = new ArrayList<>();
    private final Counter sessionLost;
    private final Counter refused;
    private final Counter gaveUp;
    private final Counter openFailed;

    public Pkcs11Token(Settings settings, Errors errors, MeterRegistry meters) {
        this.settings = settings;
        this.errors = errors;
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

    /**
     * Runs {@code operation} on the current provider; after a session loss, on a re-opened one.
     * The owning service's own exceptions pass through; anything else the token refuses becomes
     * "unavailable".
     */
    public <T> T with(Operation<T> operation) {
        for (int attempt = 0; ; attempt++) {
            Session session = session();
            try {
                return operation.apply(session);
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                if (errors.own().isInstance(e)) {
                    throw (RuntimeException) e;
                }
                Optional<String> loss = sessionLoss(e);
                if (loss.isEmpty()) {
                    refused.increment();
                    throw errors.unavailable().apply("The HSM refused the operation", e);
                }
                sessionLost.increment();
                if (attempt >= settings.reopenAttempts()) {
                    gaveUp.increment();
                    throw errors.unavailable().apply("The HSM keeps dropping its sessions (" + loss.get() + ")", e);
                }
                LOG.warnf("PKCS#11 token %s dropped its session (%s); re-opening it and retrying", settings.name(), loss.get());
                reopen(session);
            }
        }
    }

    /** The provider in use now (opened on first use). */
    public Session session() {
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

    /** Proves the token answers: a few random bytes from it (readiness). */
    public void probe() {
        with(session -> {
            SecureRandom.getInstance("PKCS11", session.provider()).nextBytes(new byte[8]);
            return null;
        });
    }

    /** How many times the token had to be re-opened. */
    public long reopenings() {
        return reopenings.get();
    }

    /** Logs out at shutdown, if the token was opened. */
    public void close() {
        Session session = current;
        if (session != null) {
            try {
                ((AuthProvider) session.provider()).logout();
            } catch (Exception e) {
                LOG.debug("Logout at shutdown failed", e);
            }
        }
    }

    private void reopen(Session broken) {
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

    private Session open() {
        char[] pin = pin();
        try {
            Provider provider = Security.getProvider("SunPKCS11").configure("--" + providerConfig());
            KeyStore keyStore = KeyStore.getInstance("PKCS11", provider);
            keyStore.load(null, pin);
            LOG.infof("Opened PKCS#11 token %s (library %s, %s)", settings.name(), settings.library(), slotDescription());
            return new Session(provider, keyStore, errors);
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            openFailed.increment();
            throw errors.unavailable().apply("Cannot open the PKCS#11 token (" + slotDescription() + ")", e);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    /** SunPKCS11 configuration: the library, the slot, and the attributes every generated key pair gets. */
    private String providerConfig() {
        return String.join("\n",
                "name = " + settings.name(),
                "library = " + settings.library(),
                slotLine(),
                // Generated keys live in the token, usable only after login, can never be read out, and only sign.
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
                // The certificate stored with the key carries its public key. A token public-key
                // object would outlive the entry: KeyStore.deleteEntry deletes only the private
                // key and the certificate.
                "attributes(generate, CKO_PUBLIC_KEY, *) = {",
                "  CKA_TOKEN = false",
                "  CKA_VERIFY = true",
                "  CKA_ENCRYPT = false",
                "  CKA_WRAP = false",
                "}",
                "");
    }

    private String slotLine() {
        return settings.slot().isPresent() ? "slot = " + settings.slot().getAsLong()
                : "slotListIndex = " + settings.slotListIndex().orElse(0);
    }

    private String slotDescription() {
        return settings.slot().isPresent() ? "slot " + settings.slot().getAsLong()
                : "slot list index " + settings.slotListIndex().orElse(0);
    }

    private char[] pin() {
        try {
            if (settings.pinFile().isPresent()) {
                String content = Files.readString(settings.pinFile().get(), StandardCharsets.UTF_8);
                return content.lines().findFirst().orElse("").toCharArray();
            }
        } catch (IOException e) {
            throw errors.unavailable().apply("Cannot read the HSM PIN file", e);
        }
        String fromEnv = System.getenv(settings.pinEnv());
        if (fromEnv == null || fromEnv.isEmpty()) {
            throw errors.unavailable().apply("No HSM PIN: set " + settings.pinEnv() + " or " + settings.pinFileProperty(), null);
        }
        return fromEnv.toCharArray();
    }

    /** The session-loss code in a failure or its causes, if it is one. */
    public static Optional<String> sessionLoss(Throwable failure) {
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
