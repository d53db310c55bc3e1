package jp.inkan.ca.authority;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import jp.inkan.ca.hsm.SigningAlgorithm;
import jp.inkan.common.CertificateType;

@Entity
@Table(name = "ca_key_generation")
class KeyGenerationEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    Long id;

    @Enumerated(EnumType.STRING)
    @Column(name = "ca", nullable = false)
    CertificateType ca;

    @Column(name = "generation", nullable = false)
    int generation;

    @Column(name = "key_alias", nullable = false)
    String keyAlias;

    @Enumerated(EnumType.STRING)
    @Column(name = "signing_algorithm", nullable = false)
    SigningAlgorithm algorithm;

    @Column(name = "subject_dn", nullable = false)
    String subjectDn;

    @Column(name = "subject_key_identifier", nullable = false)
    byte[] subjectKeyIdentifier;

    @Column(name = "certificate_der", nullable = false)
    byte[] certificateDer;

    @Column(name = "not_before", nullable = false)
    Instant notBefore;

    @Column(name = "not_after", nullable = false)
    Instant notAfter;

    @Column(name = "created_at", nullable = false)
    Instant createdAt;

    @Column(name = "issuing_from", nullable = false)
    Instant issuingFrom;

    @Column(name = "link_from_previous_der")
    byte[] linkFromPreviousDer;

    @Column(name = "link_to_previous_der")
    byte[] linkToPreviousDer;

    @Column(name = "retired_at")
    Instant retiredAt;

    @Column(name = "retired_by")
    String retiredBy;

    @Column(name = "key_destroyed_at")
    Instant keyDestroyedAt;

    KeyGeneration toDomain() {
        return new KeyGeneration(id, ca, generation, keyAlias, algorithm, subjectDn, subjectKeyIdentifier,
                certificateDer, notBefore, notAfter, issuingFrom, linkFromPreviousDer, linkToPreviousDer, retiredAt);
    }
}
