package jp.inkan.registration.application;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import jp.inkan.common.CertificateType;

/** Applications and their certificates in the registration database. */
@ApplicationScoped
public class Applications implements PanacheRepositoryBase<ApplicationEntity, UUID> {

    /**
     * The application for (municipality, Idempotency-Key): created PENDING if there is none yet.
     * Concurrent callers with the same key all get the one row.
     */
    @Transactional(TxType.MANDATORY)
    public UUID open(String municipalityCode, String idempotencyKey, byte[] requestSha256, byte[] residentHash,
                     String cardSerial, Instant now) {
        // One round trip for a new key; only a key seen before needs the second, to find its row.
        List<?> created = getEntityManager().createNativeQuery("""
                        insert into application (id, municipality_code, idempotency_key, request_sha256, resident_hash,
                            card_serial, status, created_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6, 'PENDING', ?7)
                        on conflict (municipality_code, idempotency_key) do nothing
                        returning id""")
                .setParameter(1, UUID.randomUUID()).setParameter(2, municipalityCode).setParameter(3, idempotencyKey)
                .setParameter(4, requestSha256).setParameter(5, residentHash).setParameter(6, cardSerial)
                .setParameter(7, now.atOffset(ZoneOffset.UTC))
                .getResultList();
        if (!created.isEmpty()) {
            return (UUID) created.get(0);
        }
        return find("municipalityCode = ?1 and idempotencyKey = ?2", municipalityCode, idempotencyKey)
                .project(IdOnly.class).firstResult().id();
    }

    public record IdOnly(UUID id) {
    }

    /** The application, locked until the transaction ends: one submission works on it at a time. */
    @Transactional(TxType.MANDATORY)
    public ApplicationEntity lock(UUID id) {
        return getEntityManager().find(ApplicationEntity.class, id, LockModeType.PESSIMISTIC_WRITE);
    }

    @Transactional(TxType.MANDATORY)
    public List<ApplicationCertificateEntity> certificates(UUID applicationId) {
        return getEntityManager().createQuery("from ApplicationCertificateEntity c where c.key.applicationId = :id",
                ApplicationCertificateEntity.class).setParameter("id", applicationId).getResultList();
    }

    @Transactional(TxType.MANDATORY)
    public ApplicationCertificateEntity addCertificate(UUID applicationId, CertificateType type, String serial,
                                                       int keyGeneration, Instant notBefore, Instant notAfter,
                                                       String pem) {
        ApplicationCertificateEntity c = new ApplicationCertificateEntity();
        c.key = new ApplicationCertificateEntity.Key(applicationId, type.name());
        c.serial = serial;
        c.keyGeneration = keyGeneration;
        c.notBefore = notBefore;
        c.notAfter = notAfter;
        c.pem = pem;
        getEntityManager().persist(c);
        return c;
    }

    /** Certificates with this serial issued for {@code municipalityCode}'s applications (one, unless both CAs chose it). */
    @Transactional(TxType.MANDATORY)
    public List<ApplicationCertificateEntity> certificatesBySerial(String municipalityCode, String serial) {
        return getEntityManager().createQuery("""
                        select c from ApplicationCertificateEntity c, ApplicationEntity a
                        where a.id = c.key.applicationId and a.municipalityCode = :m and c.serial = :serial""",
                        ApplicationCertificateEntity.class)
                .setParameter("m", municipalityCode).setParameter("serial", serial).getResultList();
    }

    /**
     * A resident's certificates at {@code municipalityCode} that are not revoked and not expired at
     * {@code now}; with {@code cardSerial}, only that card's.
     */
    @Transactional(TxType.MANDATORY)
    public List<ApplicationCertificateEntity> liveCertificatesOfResident(String municipalityCode, byte[] residentHash,
                                                                          String cardSerial, Instant now) {
        var query = getEntityManager().createQuery("""
                        select c from ApplicationCertificateEntity c, ApplicationEntity a
                        where a.id = c.key.applicationId and a.municipalityCode = :m and a.residentHash = :h
                          and c.status <> 'REVOKED' and c.notAfter > :now"""
                        + (cardSerial == null ? "" : " and a.cardSerial = :card")
                        + " order by a.createdAt, c.key.type", ApplicationCertificateEntity.class)
                .setParameter("m", municipalityCode).setParameter("h", residentHash).setParameter("now", now);
        if (cardSerial != null) {
            query.setParameter("card", cardSerial);
        }
        return query.getResultList();
    }

    /** Records where ca-service says the certificate stands now. */
    @Transactional(TxType.MANDATORY)
    public void recordStatus(ApplicationCertificateEntity.Key key, String status, Instant revokedAt, String reason) {
        ApplicationCertificateEntity c = getEntityManager().find(ApplicationCertificateEntity.class, key,
                LockModeType.PESSIMISTIC_WRITE);
        c.status = status;
        c.revokedAt = revokedAt;
        c.revocationReason = reason;
    }

    /** The application if it belongs to {@code municipalityCode}; another municipality's is simply not found. */
    @Transactional(TxType.MANDATORY)
    public Optional<ApplicationResult> view(UUID id, String municipalityCode) {
        return find("id = ?1 and municipalityCode = ?2", id, municipalityCode).firstResultOptional().map(this::view);
    }

    @Transactional(TxType.MANDATORY)
    public List<ApplicationResult> ofResident(String municipalityCode, byte[] residentHash) {
        return list("municipalityCode = ?1 and residentHash = ?2 order by createdAt", municipalityCode, residentHash)
                .stream().map(this::view).toList();
    }

    ApplicationResult view(ApplicationEntity application) {
        return view(application, certificates(application.id));
    }

    /** The application with {@code certificates}, which must be all of its certificates. */
    ApplicationResult view(ApplicationEntity application, List<ApplicationCertificateEntity> certificates) {
        List<ApplicationResult.Certificate> views = certificates.stream()
                .map(c -> new ApplicationResult.Certificate(CertificateType.valueOf(c.key.type), c.serial,
                        c.keyGeneration, c.notBefore, c.notAfter, c.pem, c.status, c.revokedAt,
                        c.revocationReason))
                .sorted(Comparator.comparing(ApplicationResult.Certificate::type))
                .toList();
        return new ApplicationResult(application.id, application.municipalityCode, application.status,
                application.createdAt, views);
    }
}
