package jp.inkan.registration.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import jp.inkan.common.audit.AnchorSender;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.registration.ca.CaApi;
import jp.inkan.registration.config.RegistrationConfig;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Anchors the audit chain head in ca-service's chain, which ca-service seals in its HSM: this
 * service holds no key of its own, and a chain rewritten after an anchor no longer matches it.
 * Periodically ({@code inkan.registration.audit.anchor-every}) and at shutdown.
 */
@ApplicationScoped
public class AuditAnchoring {


    private final AuditLog audit;
    private final CaApi ca;
    private final boolean enabled;
    private final AnchorSender anchors;
    /** Only the running service anchors, not the operator command run on the same jar. */
    private volatile boolean serving;

    public AuditAnchoring(AuditLog audit, @RestClient CaApi ca, RegistrationConfig config) {
        this.audit = audit;
        this.ca = ca;
        this.enabled = !AnchorSender.isOff(config.audit().anchorEvery());
        this.anchors = new AnchorSender(audit::head, ca::anchor);
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
        anchors.anchorQuietly();
    }

    /** Sends the current chain head unless it is the one last anchored; returns what ca-service recorded. */
    public Optional<AuditAnchor> anchor() {
        return anchors.anchor();
    }
}
