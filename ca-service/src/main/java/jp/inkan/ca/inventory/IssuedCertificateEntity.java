package jp.inkan.ca.inventory;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import jp.inkan.common.CertificateType;

@Entity
@Table(name = "issued_certificate")
class IssuedCertificateEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    /** The issuing CA; serials are unique per CA across its key generations (they share one DN). */
    @Enumerated(EnumType.STRING)
    @Column(name = "ca", nullable = false)
    CertificateType ca;

    @Column(name = "key_generation_id", nullable = false)
    long keyGenerationId;

    @Column(name = "serial", nullable = false)
    String serial;

    @Column(name = "subject_dn", nullable = false)
    String subjectDn;

    @Column(name = "not_before", nullable = false)
    Instant notBefore;

    @Column(name = "not_after", nullable = false)
    Instant notAfter;

    @Column(name = "municipality_code", nullable = false)
    String municipalityCode;

    @Column(name = "card_serial", nullable = false)
    String cardSerial;

    @Enumerated(EnumType.STRING)
    @Column(name = "status", nullable = false)
    CertificateStatus status;

    @Column(name = "public_key_sha256", nullable = false)
    byte[] publicKeySha256;

    @Column(name = "request_id")
    public String requestId;

    @Column(name = "der", nullable = false)
    byte[] der;

    @Column(name = "issued_at", nullable = false)
    Instant issuedAt;
}
