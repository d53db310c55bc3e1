package jp.inkan.ocsp.audit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import jp.inkan.common.CertificateType;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.RefusalTally;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.ocsp.issuers.CaServiceClient;
import org.jboss.logging.Logger;

/**
 * What the responder audits, in its {@link AuditFile}: its configuration at start-up, responder
 * key generation and certificates, relying-party refusals (counted by {@link AccessControl}, one
 * entry per caller and reason per period), registry changes applied; and the anchoring of the
 * chain head in ca-service's sealed chain, periodically and at shutdown.
 */
@ApplicationScoped
public class AuditTrail implements AuditSink {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class);
    static final String ACTOR = "ocsp-responder";

    private final AuditFile file;
    private final OcspConfig config;
    private final CaServiceClient ca;
    private final AccessControl access;
    private final Map<String, RelyingParty> registry = new TreeMap<>();
    private volatile AuditAnchor lastAnchored;

    public AuditTrail(OcspConfig config, Clock clock, CaServiceClient ca, AccessControl access) {
        this.config = config;
        this.ca = ca;
        this.access = access;
        this.file = new AuditFile(config.store().stateDir().resolve("audit"), clock);
    }

    void started(@Observes @Priority(1) StartupEvent event) {
        StringBuilder modes = new StringBuilder();
        for (CertificateType type : CertificateType.values()) {
            modes.append(type.name().toLowerCase(Locale.ROOT)).append('=').append(access.mode(type)).append(' ');
        }
        record("service.started", ACTOR, "access " + modes.toString().trim() + "; registry topic "
                + config.access().registryTopic() + "; responses valid " + config.responses().validity() + " (re-signed "
                + config.responses().refreshBefore() + " before); responder certificates renewed with "
                + config.responderCertificates().renewWhenRemaining() + " of their life left, key prefix "
                + config.responderCertificates().hsm().keyAliasPrefix() + "; ca-service " + config.caService().url()
                + "; audit chain " + file.chainId());
        file.sync();
    }

    void stopping(@Observes ShutdownEvent event) {
        try {
            flushRefusals();
            if (anchoring()) {
                anchor();
            }
        } catch (RuntimeException e) {
            LOG.warnf("Audit at shutdown incomplete: %s", e.getMessage());
        } finally {
            file.close();
        }
    }

    /** Never throws into the caller (a renewal or a registry update goes on); a failure is logged as an error. */
    @Override
    public void record(String event, String subject, String detail) {
        try {
            file.append(ACTOR, event, subject, detail);
        } catch (RuntimeException e) {
            LOG.errorf("Could not write the audit entry %s %s (%s): %s", event, subject, detail, e.getMessage());
        }
    }

    /** The registry as applied now: each added, changed or removed party is one entry. */
    public synchronized void registryApplied(Collection<RelyingParty> parties) {
        Map<String, RelyingParty> now = new TreeMap<>();
        parties.forEach(p -> now.put(p.id(), p));
        for (RelyingParty p : now.values()) {
            RelyingParty before = registry.get(p.id());
            if (!p.equals(before)) {
                record(before == null ? "registry.party-added" : "registry.party-changed", p.id(), "revision " + p.revision()
                        + ", " + p.state() + ", " + p.kind() + ", CAs " + new TreeSet<>(p.entitledCas()) + ", "
                        + p.clientCertificateSha256().size() + " client certificate(s), " + p.requestSignerCertificates().size()
                        + " signer certificate(s), rate " + (p.requestsPerSecond() == null ? "unlimited" : p.requestsPerSecond() + "/s"));
            }
        }
        for (String gone : registry.keySet()) {
            if (!now.containsKey(gone)) {
                record("registry.party-removed", gone, "no longer in the registry");
            }
        }
        registry.clear();
        registry.putAll(now);
    }

    @Scheduled(every = "${inkan.ocsp.audit.sync-every:PT1S}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSync() {
        try {
            file.sync();
        } catch (RuntimeException e) {
            LOG.errorf("Could not force the audit file to disk: %s", e.getMessage());
        }
    }

    @Scheduled(every = "${inkan.ocsp.audit.refusals-every:PT1M}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRefusals() {
        try {
            flushRefusals();
        } catch (RuntimeException e) {
            LOG.errorf("Could not audit the refusals (kept for the next run): %s", e.getMessage());
        }
    }

    @Scheduled(every = "${inkan.ocsp.audit.anchor-every:PT1M}", delayed = "PT10S",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledAnchor() {
        try {
            anchor();
        } catch (RuntimeException e) {
            LOG.warnf("Could not anchor the audit chain head in ca-service (tried again at the next run): %s", e.getMessage());
        }
    }

    /** Audits the refusals counted since the last flush, one entry per caller and reason. */
    public void flushRefusals() {
        List<RefusalTally.Count> counts = access.refusals().drain();
        for (RefusalTally.Count c : counts) {
            try {
                file.append(c.caller(), "ocsp.refused", c.reason(), c.detail());
            } catch (RuntimeException e) {
                access.refusals().refused(c.caller(), c.reason(), c.count());
                throw e;
            }
        }
        file.sync();
    }

    /** Sends the chain head unless it is the one last anchored; returns what ca-service recorded. */
    public synchronized Optional<AuditAnchor> anchor() {
        file.sync();
        Optional<AuditAnchor> head = file.head();
        if (head.isEmpty() || head.get().equals(lastAnchored)) {
            return Optional.empty();
        }
        AuditAnchor recorded = ca.anchor(head.get());
        lastAnchored = head.get();
        return Optional.of(recorded);
    }

    /** The file's chain re-computed and checked against its anchors in ca-service (anchors -1 if unreachable). */
    public AuditFile.Verification verify() {
        List<AuditAnchor> anchors;
        try {
            anchors = ca.anchors();
        } catch (RuntimeException e) {
            LOG.warnf("Could not read the audit anchors from ca-service: %s", e.getMessage());
            anchors = null;
        }
        return file.verify(anchors);
    }

    private boolean anchoring() {
        String every = config.audit().anchorEvery().trim().toLowerCase(Locale.ROOT);
        return !every.equals("off") && !every.equals("disabled");
    }
}
