package jp.inkan.registration.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "audit_event")
public class AuditEventEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "at", nullable = false)
    public Instant at;

    @Column(name = "actor", nullable = false)
    public String actor;

    @Column(name = "municipality_code")
    public String municipalityCode;

    @Column(name = "action", nullable = false)
    public String action;

    @Column(name = "outcome", nullable = false)
    public String outcome;

    @Column(name = "application_id")
    public UUID applicationId;

    @Column(name = "detail", nullable = false)
    public String detail;
}
