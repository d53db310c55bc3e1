package jp.inkan.crl.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import jp.inkan.common.audit.AnchorSender;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.AuditTable;
import jp.inkan.common.audit.RefusalTally;
import jp.inkan.crl.ca.CaClient;
import jp.inkan.crl.config.CrlConfig;
import org.jboss.logging.Logger;

/**
 * What crl-publisher audits outside a publication's transaction: its configuration at start-up,
 * refused downloads (counted, one entry per caller and reason per period, so a flood does not
 * flood the trail), and the anchoring of the chain head in ca-service's sealed chain.
 */
@ApplicationScoped
public class AuditTrail {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);
    public static final String SERVICE = "crl-publisher";

    private final AuditLog audit;
    private final CaClient ca;
    private final CrlConfig config;
    private final RefusalTally refusals;
    private final AnchorSender anchors;

    public AuditTrail(AuditLog audit, CaClient ca, CrlConfig config, Clock clock) {
        this.refusals = new RefusalTally(clock);
        this.audit = audit;
        this.ca = ca;
        this.config = config;
        this.anchors = new AnchorSender(audit::head, ca::anchor);
    }

    void started(@Observes StartupEvent event) {
        audit.record(SERVICE, "service.started", SERVICE, "access signature=" + config.access().signature()
                + " authentication=" + config.access().authentication() + "; authentication partitioned="
                + config.authentication().partitioned() + "; complete every " + config.schedule().completeEvery()
                + " (+" + config.schedule().completeOverlap() + "), delta every " + config.schedule().deltaEvery()
                + " (+" + config.schedule().deltaOverlap() + "); base URL " + config.baseUrl() + "; ca-service "
                + config.caService().url() + "; events " + config.events().topic() + " (group " + config.events().groupId()
                + ", enabled " + config.events().enabled() + ")");
    }

    void stopping(@Observes ShutdownEvent event) {
        flushRefusalsQuietly();
        if (!AnchorSender.isOff(config.audit().anchorEvery())) {
            anchors.anchorQuietly();
        }
    }

    /** A refused download: {@code caller} is a relying-party id, "anonymous" or "unregistered". */
    public void refused(String caller, String reason) {
        refusals.refused(caller, reason);
    }

    @Scheduled(every = "${inkan.crl.audit.refusals-every:PT1M}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRefusals() {
        flushRefusalsQuietly();
    }

    @Scheduled(every = "${inkan.crl.audit.anchor-every:PT1M}", delayed = "PT10S",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledAnchor() {
        anchors.anchorQuietly();
    }

    /** Audits the refusals counted since the last flush, one entry per caller and reason. */
    public void flushRefusals() {
        List<RefusalTally.Count> counts = refusals.drain();
        if (counts.isEmpty()) {
            return;
        }
        try {
            audit.record(counts.stream().map(c -> new AuditTable.Entry(c.caller(), "crl.download.refused", c.reason(),
                    c.detail())).toList());
        } catch (RuntimeException e) {
            counts.forEach(c -> refusals.refused(c.caller(), c.reason(), c.count()));
            throw e;
        }
    }

    /** Sends the chain head unless it is the one last anchored; returns what ca-service recorded. */
    public Optional<AuditAnchor> anchor() {
        return anchors.anchor();
    }

    /** The chain checked against its anchors in ca-service (anchors -1 if ca-service did not answer). */
    public AuditLog.Verification verify() {
        return audit.verify(AnchorSender.anchorsOrNull(ca::anchors));
    }

    private void flushRefusalsQuietly() {
        try {
            flushRefusals();
        } catch (RuntimeException e) {
            LOG.errorf("Could not audit the refused downloads (kept for the next run): %s", e.getMessage());
        }
    }
}
