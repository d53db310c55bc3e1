package jp.inkan.ca.authority;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import jp.inkan.common.CertificateType;

/**
 * The CAs' key generations. The generation that issues is the newest whose {@code issuingFrom} has
 * come (by the injected clock) and that is not retired, so a rotation's switch needs no action at
 * the chosen time. The list is cached because every issuance asks; it is re-read whenever this
 * service changes a generation and at least every {@link #CACHE_NANOS}, so other replicas see a
 * rotation within seconds (a switch time is chosen well ahead of that).
 */
@ApplicationScoped
public class KeyGenerations implements PanacheRepository<KeyGenerationEntity> {

    private static final long CACHE_NANOS = 5_000_000_000L;

    private record Cached(List<KeyGeneration> generations, long readAt, long changes) {
    }

    private volatile Cached cached;
    /**
     * Bumped by every {@link #changed()}: a list read before a change (an issuance reading while a
     * rotation commits) is not kept as current, or it would hide the change for {@link #CACHE_NANOS}.
     */
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

    @Inject
    Clock clock;

    /** Every generation, retired ones too (certificates name theirs), ordered by CA and generation. */
    public List<KeyGeneration> all() {
        Cached current = cached;
        long seen = changes.get();
        if (current == null || current.changes() != seen || System.nanoTime() - current.readAt() > CACHE_NANOS) {
            current = new Cached(read(), System.nanoTime(), seen);
            cached = current;
        }
        return current.generations();
    }

    /** Generations whose key still exists: they sign CRLs and responder certificates for their certificates. */
    public List<KeyGeneration> active() {
        return all().stream().filter(g -> !g.retired()).toList();
    }

    public Optional<KeyGeneration> generation(CertificateType ca, int generation) {
        return all().stream().filter(g -> g.ca() == ca && g.generation() == generation).findFirst();
    }

    @Transactional
    List<KeyGeneration> read() {
        return list("order by ca, generation").stream().map(KeyGenerationEntity::toDomain).toList();
    }

    @Transactional
    public Optional<KeyGeneration> latest(CertificateType ca) {
        return find("ca = ?1 order by generation desc", ca).firstResultOptional().map(KeyGenerationEntity::toDomain);
    }

    /** The generation that signs new certificates of {@code ca} now, if the CA exists. */
    public Optional<KeyGeneration> issuing(CertificateType ca) {
        return issuingAt(ca, clock.instant());
    }

    public Optional<KeyGeneration> issuingAt(CertificateType ca, Instant at) {
        return all().stream()
                .filter(g -> g.ca() == ca && !g.retired() && !g.issuingFrom().isAfter(at))
                .max(Comparator.comparingInt(KeyGeneration::generation));
    }

    /**
     * Forgets the cached list: the next question reads the database. Call it again once the
     * changing transaction committed: a read between the call and the commit saw the old rows.
     */
    public void changed() {
        changes.incrementAndGet();
        cached = null;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    KeyGeneration add(KeyGeneration generation, Instant createdAt) {
        KeyGenerationEntity entity = new KeyGenerationEntity();
        entity.ca = generation.ca();
        entity.generation = generation.generation();
        entity.keyAlias = generation.keyAlias();
        entity.algorithm = generation.algorithm();
        entity.subjectDn = generation.subjectDn();
        entity.subjectKeyIdentifier = generation.subjectKeyIdentifier();
        entity.certificateDer = generation.certificateDer();
        entity.notBefore = generation.notBefore();
        entity.notAfter = generation.notAfter();
        entity.createdAt = createdAt;
        entity.issuingFrom = generation.issuingFrom();
        entity.linkFromPreviousDer = generation.linkFromPreviousDer();
        entity.linkToPreviousDer = generation.linkToPreviousDer();
        persist(entity);
        changed();
        return entity.toDomain();
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void markRetired(long id, Instant at, String operator) {
        KeyGenerationEntity entity = findById(id);
        if (entity.retiredAt == null) {
            entity.retiredAt = at;
            entity.retiredBy = operator;
        }
        changed();
    }

    @Transactional
    void markKeyDestroyed(long id, Instant at) {
        findById(id).keyDestroyedAt = at;
        changed();
    }

    @Transactional
    boolean keyDestroyed(long id) {
        return findById(id).keyDestroyedAt != null;
    }
}
