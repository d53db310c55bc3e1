package jp.inkan.ca.inventory;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import jp.inkan.common.CertificateType;

/** The certificate inventory: every certificate a CA signed, recorded before anyone sees it. */
@ApplicationScoped
public class CertificateStore implements PanacheRepository<IssuedCertificateEntity> {

    /** What {@link #record} was asked to keep. */
    public record NewCertificate(
            CertificateType ca,
            long keyGenerationId,
            BigInteger serial,
            String subjectDn,
            Instant notBefore,
            Instant notAfter,
            String municipalityCode,
            String cardSerial,
            byte[] publicKeySha256,
            byte[] der,
            Instant issuedAt) {
    }

    public enum Outcome {
        RECORDED,
        /** Another certificate of this CA has the serial: sign again with a new one. */
        SERIAL_TAKEN,
        /** The public key is already certified. */
        KEY_TAKEN
    }

    /**
     * Records a signed certificate in its own transaction. Conflicts are reported, not thrown, so
     * a serial collision can be retried and nothing half-written remains.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Outcome record(NewCertificate certificate) {
        List<?> inserted = getEntityManager().createNativeQuery("""
                        insert into issued_certificate (ca, key_generation_id, serial, subject_dn, not_before, not_after,
                            municipality_code, card_serial, status, public_key_sha256, der, issued_at)
                        values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'VALID', ?9, ?10, ?11)
                        on conflict do nothing
                        returning id""")
                .setParameter(1, certificate.ca().name())
                .setParameter(2, certificate.keyGenerationId())
                .setParameter(3, hex(certificate.serial()))
                .setParameter(4, certificate.subjectDn())
                .setParameter(5, certificate.notBefore())
                .setParameter(6, certificate.notAfter())
                .setParameter(7, certificate.municipalityCode())
                .setParameter(8, certificate.cardSerial())
                .setParameter(9, certificate.publicKeySha256())
                .setParameter(10, certificate.der())
                .setParameter(11, certificate.issuedAt())
                .getResultList();
        if (!inserted.isEmpty()) {
            return Outcome.RECORDED;
        }
        boolean serialTaken = count("ca = ?1 and serial = ?2", certificate.ca(), hex(certificate.serial())) > 0;
        return serialTaken ? Outcome.SERIAL_TAKEN : Outcome.KEY_TAKEN;
    }

    @Transactional
    public Optional<StoredCertificate> find(CertificateType ca, String serialHex) {
        return find("ca = ?1 and serial = ?2", ca, serialHex).firstResultOptional().map(CertificateStore::toDomain);
    }

    /** The end of the card's newest authentication certificate still valid at {@code now}. */
    @Transactional
    public Optional<Instant> validAuthenticationNotAfter(String cardSerial, Instant now) {
        return find("ca = ?1 and cardSerial = ?2 and status = ?3 and notAfter > ?4 order by notBefore desc",
                CertificateType.AUTHENTICATION, cardSerial, CertificateStatus.VALID, now)
                .firstResultOptional().map(entity -> entity.notAfter);
    }

    /** How many certificates the inventory holds. */
    @Transactional
    public long total() {
        return count();
    }

    /** The next 5-digit sequence for subject common names (wraps after 99999). */
    @Transactional
    public int nextSubjectSequence() {
        return ((Number) getEntityManager().createNativeQuery("select nextval('subject_sequence')")
                .getSingleResult()).intValue();
    }

    /** Lower-case hex without leading zeros: the one way serials are written down. */
    public static String hex(BigInteger serial) {
        return serial.toString(16);
    }

    private static StoredCertificate toDomain(IssuedCertificateEntity e) {
        return new StoredCertificate(e.ca, e.keyGenerationId, e.serial, e.subjectDn, e.notBefore, e.notAfter,
                e.municipalityCode, e.cardSerial, e.status, e.der);
    }
}
