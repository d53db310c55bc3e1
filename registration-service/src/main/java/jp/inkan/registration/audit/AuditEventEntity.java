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

    @Column(name = "seq")
    public Long seq;

    @Column(name = "prev_hash")
    public byte[] prevHash;

    @Column(name = "entry_hash")
    public byte[] entryHash;

    /** The entry as the chain hashes it: outcome with the action, municipality and application as the subject. */
    public jp.inkan.common.audit.AuditChain.Entry chained() {
        return new jp.inkan.common.audit.AuditChain.Entry(seq, at, actor, chainAction(action, outcome),
                chainSubject(municipalityCode, applicationId), detail, prevHash, entryHash);
    }

    static String chainAction(String action, String outcome) {
        return action + "/" + outcome;
    }

    static String chainSubject(String municipalityCode, java.util.UUID applicationId) {
        return (municipalityCode == null ? "" : municipalityCode) + "/" + (applicationId == null ? "" : applicationId);
    }
}
