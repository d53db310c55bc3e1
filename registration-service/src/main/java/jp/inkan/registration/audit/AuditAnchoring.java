package jp.inkan.registration.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.registration.ca.CaApi;
import jp.inkan.registration.config.RegistrationConfig;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Anchors the audit chain head in ca-service's chain, which ca-service seals in its HSM: this
 * service holds no key of its own, and a chain rewritten after an anchor no longer matches it.
 * Periodically ({@code inkan.registration.audit.anchor-every}) and at shutdown.
 */
@ApplicationScoped
public class AuditAnchoring {

    private static final Logger LOG = Logger.getLogger(AuditAnchoring.class);

    private final AuditLog audit;
    private final CaApi ca;
    private final boolean enabled;
    private volatile AuditAnchor lastAnchored;
    /** Only the running service anchors, not the operator command run on the same jar. */
    private volatile boolean serving;

    public AuditAnchoring(AuditLog audit, @RestClient CaApi ca, RegistrationConfig config) {
        this.audit = audit;
        this.ca = ca;
        String every = config.audit().anchorEvery().trim().toLowerCase(java.util.Locale.ROOT);
        this.enabled = !every.equals("off") && !every.equals("disabled");
    }

    /** Called when the jar runs as the service (not as the operator command). */
    public void serving() {
        serving = true;
    }

    @Scheduled(every = "${inkan.registration.audit.anchor-every:PT1M}", delayed = "PT10S",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (serving) {
            anchorQuietly();
        }
    }

    void atShutdown(@Observes ShutdownEvent event) {
        if (enabled && serving) {
            anchorQuietly();
        }
    }

    private void anchorQuietly() {
        try {
            anchor();
        } catch (RuntimeException e) {
            LOG.warnf("Could not anchor the audit chain head in ca-service (tried again at the next run): %s", e.getMessage());
        }
    }

    /** Sends the current chain head unless it is the one last anchored; returns what ca-service recorded. */
    public synchronized Optional<AuditAnchor> anchor() {
        Optional<AuditAnchor> head = audit.head();
        if (head.isEmpty() || head.get().equals(lastAnchored)) {
            return Optional.empty();
        }
        AuditAnchor recorded = ca.anchor(head.get());
        lastAnchored = head.get();
        LOG.debugf("Anchored audit entry %d in ca-service (its entry %d)", recorded.seq(), recorded.anchoredAs());
        return Optional.of(recorded);
    }
}
