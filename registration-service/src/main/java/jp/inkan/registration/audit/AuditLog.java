package jp.inkan.registration.audit;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.AuditChain;

/**
 * The append-only audit trail. {@link #record} joins the caller's transaction so an entry and the
 * effect it describes commit together; {@link #recordAlone} is for outcomes with no effect
 * (refusals, failures). Details never carry the resident record code or the basic four facts.
 */
@ApplicationScoped
public class AuditLog implements PanacheRepository<AuditEventEntity> {

    public enum Action {
        AUTHENTICATE, SUBMIT_APPLICATION, READ_APPLICATION, QUERY_CERTIFICATES, REVOKE_CERTIFICATE, HOLD_CERTIFICATE,
        RESIDENT_EVENT, SERVICE_STARTED
    }

    public enum Outcome { ACCEPTED, REPLAYED, REFUSED, FAILED }

    /** Who called: the client certificate's subject, and the municipality it speaks for when known. */
    public record Actor(String subject, String municipalityCode) {
    }

    private static final long CHAIN_LOCK = 0x4175646974L;

    private final Clock clock;

    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    /**
     * Appends the entry to the hash chain: the chain head is read under a transaction-scoped
     * advisory lock, so entries get consecutive numbers in commit order. Callers record at the end
     * of their transaction, so the lock is held only until that commit.
     */
    @Transactional(TxType.MANDATORY)
    public void record(Actor actor, Action action, Outcome outcome, UUID applicationId, String detail) {
        var em = getEntityManager();
        em.createNativeQuery("select pg_advisory_xact_lock(" + CHAIN_LOCK + ")").getSingleResult();
        List<?> head = em.createNativeQuery(
                "select seq, entry_hash from audit_event where seq is not null order by seq desc limit 1").getResultList();
        long seq = 1;
        byte[] prev = AuditChain.GENESIS;
        if (!head.isEmpty()) {
            Object[] row = (Object[]) head.get(0);
            seq = ((Number) row[0]).longValue() + 1;
            prev = (byte[]) row[1];
        }
        AuditEventEntity event = new AuditEventEntity();
        event.at = AuditChain.storable(clock.instant());
        event.actor = actor.subject();
        event.municipalityCode = actor.municipalityCode();
        event.action = action.name();
        event.outcome = outcome.name();
        event.applicationId = applicationId;
        event.detail = detail;
        event.seq = seq;
        event.prevHash = prev;
        event.entryHash = AuditChain.hash(seq, event.at, event.actor,
                AuditEventEntity.chainAction(event.action, event.outcome),
                AuditEventEntity.chainSubject(event.municipalityCode, applicationId), detail, prev);
        persist(event);
        em.flush();
    }

    /** Re-computes the chain (entries written before the chain existed are outside it); lists every break. */
    @Transactional
    public List<AuditChain.Break> verify() {
        return verify(List.of());
    }

    /** As {@link #verify()}, and the chain must still hold every head anchored in ca-service. */
    @Transactional
    public List<AuditChain.Break> verify(List<AuditAnchor> anchors) {
        AuditChain.Verifier verifier = new AuditChain.Verifier();
        try (var entries = find("seq is not null order by seq").<AuditEventEntity>stream()) {
            entries.forEach(e -> {
                verifier.accept(e.chained());
                getEntityManager().detach(e);
            });
        }
        anchors.stream().filter(a -> AuditAnchor.MAIN.equals(a.chain()))
                .forEach(a -> verifier.anchor(a.seq(), a.hashBytes()));
        return verifier.breaks();
    }

    /** The chain head (entry number and hash), to anchor in ca-service; empty before the first entry. */
    @Transactional
    public java.util.Optional<AuditAnchor> head() {
        List<?> head = getEntityManager().createNativeQuery(
                "select seq, entry_hash from audit_event where seq is not null order by seq desc limit 1").getResultList();
        if (head.isEmpty()) {
            return java.util.Optional.empty();
        }
        Object[] row = (Object[]) head.get(0);
        return java.util.Optional.of(AuditAnchor.of(AuditAnchor.MAIN, ((Number) row[0]).longValue(), (byte[]) row[1]));
    }

    @Transactional(TxType.REQUIRES_NEW)
    public void recordAlone(Actor actor, Action action, Outcome outcome, UUID applicationId, String detail) {
        record(actor, action, outcome, applicationId, detail);
    }
}
