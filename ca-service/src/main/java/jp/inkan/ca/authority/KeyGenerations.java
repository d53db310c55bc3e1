package jp.inkan.ca.authority;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import jp.inkan.common.CertificateType;

/**
 * The CAs' key generations. The generation that issues is the newest; it is cached because every
 * issuance asks, and refreshed whenever this service adds a generation.
 */
@ApplicationScoped
public class KeyGenerations implements PanacheRepository<KeyGenerationEntity> {

    private final Map<CertificateType, KeyGeneration> issuing = new ConcurrentHashMap<>();

    @Transactional
    public List<KeyGeneration> all() {
        return list("order by ca, generation").stream().map(KeyGenerationEntity::toDomain).toList();
    }

    @Transactional
    public Optional<KeyGeneration> latest(CertificateType ca) {
        return find("ca = ?1 order by generation desc", ca).firstResultOptional().map(KeyGenerationEntity::toDomain);
    }

    /** The generation that signs new certificates of {@code ca}, if the CA exists. */
    public Optional<KeyGeneration> issuing(CertificateType ca) {
        KeyGeneration cached = issuing.get(ca);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<KeyGeneration> latest = latest(ca);
        latest.ifPresent(generation -> issuing.put(ca, generation));
        return latest;
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
        persist(entity);
        issuing.remove(generation.ca());
        return entity.toDomain();
    }
}
