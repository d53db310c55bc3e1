package jp.inkan.registration.municipality;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of municipalities, managed by the operator command. Lookups on every request are
 * cached briefly, so a change made by the command (another process) applies within
 * {@link #CACHE_TTL}.
 */
@ApplicationScoped
public class Municipalities implements PanacheRepositoryBase<MunicipalityEntity, String> {

    static final Duration CACHE_TTL = Duration.ofSeconds(10);

    private record Cached(Optional<RegisteredMunicipality> value, Instant until) {
    }

    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
    private final Clock clock;

    public Municipalities(Clock clock) {
        this.clock = clock;
    }

    public Optional<RegisteredMunicipality> registered(String code) {
        Instant now = clock.instant();
        Cached cached = cache.get(code);
        if (cached == null || cached.until().isBefore(now)) {
            cached = new Cached(load(code), now.plus(CACHE_TTL));
            cache.put(code, cached);
        }
        return cached.value();
    }

    @Transactional
    Optional<RegisteredMunicipality> load(String code) {
        return findByIdOptional(code).map(Municipalities::toDomain);
    }

    /** Registers a municipality or replaces its names and allowed certificate. */
    @Transactional
    public RegisteredMunicipality register(String code, String prefecture, String name, X509Certificate client) {
        MunicipalityEntity entity = findByIdOptional(code).orElseGet(MunicipalityEntity::new);
        boolean isNew = entity.code == null;
        entity.code = code;
        entity.prefecture = prefecture;
        entity.name = name;
        entity.clientSubject = client.getSubjectX500Principal().getName();
        entity.clientCertificateSha256 = fingerprint(client);
        entity.updatedAt = clock.instant();
        if (isNew) {
            persist(entity);
        }
        cache.remove(code);
        return toDomain(entity);
    }

    @Transactional
    public List<RegisteredMunicipality> all() {
        return listAll().stream().map(Municipalities::toDomain).toList();
    }

    public static byte[] fingerprint(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RegisteredMunicipality toDomain(MunicipalityEntity e) {
        return new RegisteredMunicipality(e.code, e.prefecture, e.name, e.clientSubject, e.clientCertificateSha256);
    }
}
