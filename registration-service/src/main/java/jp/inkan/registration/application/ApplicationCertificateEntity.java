package jp.inkan.registration.application;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

@Entity
@Table(name = "application_certificate")
public class ApplicationCertificateEntity extends PanacheEntityBase {

    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "application_id")
        public UUID applicationId;

        @Column(name = "type")
        public String type;

        public Key() {
        }

        public Key(UUID applicationId, String type) {
            this.applicationId = applicationId;
            this.type = type;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(applicationId, k.applicationId) && Objects.equals(type, k.type);
        }

        @Override
        public int hashCode() {
            return Objects.hash(applicationId, type);
        }
    }

    @EmbeddedId
    public Key key;

    @Column(name = "serial", nullable = false)
    public String serial;

    @Column(name = "key_generation", nullable = false)
    public int keyGeneration;

    @Column(name = "not_before", nullable = false)
    public Instant notBefore;

    @Column(name = "not_after", nullable = false)
    public Instant notAfter;

    @Column(name = "pem", nullable = false)
    public String pem;

    /** VALID, ON_HOLD or REVOKED, as ca-service last answered. */
    @Column(name = "status", nullable = false)
    public String status = "VALID";

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** RFC 5280 reason name; {@code certificateHold} while on hold. */
    @Column(name = "revocation_reason")
    public String revocationReason;
}
