package jp.inkan.ca.municipality;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The municipalities this CA issues for (reference data; Flyway seeds a sample set). Every
 * issuance asks, so found entries are kept for a few minutes; an unknown code always asks the
 * database, so a newly registered municipality can issue at once.
 */
@ApplicationScoped
public class MunicipalityRegistry implements PanacheRepositoryBase<MunicipalityEntity, String> {

    private static final long KEEP_NANOS = Duration.ofMinutes(5).toNanos();

    private record Cached(Municipality municipality, long loadedAt) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public Optional<Municipality> find(String code) {
        Cached cached = cache.get(code);
        if (cached != null && System.nanoTime() - cached.loadedAt() < KEEP_NANOS) {
            return Optional.of(cached.municipality());
        }
        Optional<Municipality> loaded = load(code);
        loaded.ifPresent(m -> cache.put(code, new Cached(m, System.nanoTime())));
        return loaded;
    }

    /** Every registered municipality, by code (CRL partitions and their distribution points). */
    @Transactional
    public java.util.List<Municipality> all() {
        return listAll(io.quarkus.panache.common.Sort.by("code")).stream().map(MunicipalityEntity::toDomain).toList();
    }

    @Transactional
    Optional<Municipality> load(String code) {
        return findByIdOptional(code).map(MunicipalityEntity::toDomain);
    }
}
