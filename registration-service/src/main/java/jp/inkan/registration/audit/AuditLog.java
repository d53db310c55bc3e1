package jp.inkan.registration.audit;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Clock;
import java.util.UUID;

/**
 * The append-only audit trail. {@link #record} joins the caller's transaction so an entry and the
 * effect it describes commit together; {@link #recordAlone} is for outcomes with no effect
 * (refusals, failures). Details never carry the resident record code or the basic four facts.
 */
@ApplicationScoped
public class AuditLog implements PanacheRepository<AuditEventEntity> {

    public enum Action {
        AUTHENTICATE, SUBMIT_APPLICATION, READ_APPLICATION, QUERY_CERTIFICATES, REVOKE_CERTIFICATE, HOLD_CERTIFICATE,
        RESIDENT_EVENT
    }

    public enum Outcome { ACCEPTED, REPLAYED, REFUSED, FAILED }

    /** Who called: the client certificate's subject, and the municipality it speaks for when known. */
    public record Actor(String subject, String municipalityCode) {
    }

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    @Transactional(TxType.MANDATORY)
    public void record(Actor actor, Action action, Outcome outcome, UUID applicationId, String detail) {
        AuditEventEntity event = new AuditEventEntity();
        event.at = clock.instant();
        event.actor = actor.subject();
        event.municipalityCode = actor.municipalityCode();
        event.action = action.name();
        event.outcome = outcome.name();
        event.applicationId = applicationId;
        event.detail = detail;
        persist(event);
    }

    @Transactional(TxType.REQUIRES_NEW)
    public void recordAlone(Actor actor, Action action, Outcome outcome, UUID applicationId, String detail) {
        record(actor, action, outcome, applicationId, detail);
    }
}
