package jp.inkan.ocsp.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;
import jp.inkan.common.relyingparty.RegistryFollower;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.common.relyingparty.RelyingPartyMeters;
import jp.inkan.common.relyingparty.UsagePublisher;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.access.Caller;
import jp.inkan.ocsp.audit.AuditTrail;
import jp.inkan.ocsp.config.OcspConfig;

/**
 * Keeps {@link AccessControl}'s registry and the per relying party meters equal to the
 * relying-party topic ({@link RegistryFollower}): a change by the operator command takes effect
 * within a poll (half a second). Publishes this replica's usage counts to the usage topic
 * ({@link UsagePublisher}) for the daily report. Neither runs when every CA is open (nothing is
 * checked or counted then).
 */
@ApplicationScoped
public class RegistryConsumer {

    private final AccessControl access;
    private final EventsConfig events;
    private final OcspConfig config;
    private final AuditTrail audit;
    private final MeterRegistry meterRegistry;
    private RegistryFollower follower;
    private RelyingPartyMeters meters;
    private volatile UsagePublisher usage;

    public RegistryConsumer(AccessControl access, EventsConfig events, OcspConfig config, AuditTrail audit,
                            MeterRegistry meterRegistry) {
        this.audit = audit;
        this.access = access;
        this.events = events;
        this.config = config;
        this.meterRegistry = meterRegistry;
    }

    void start(@Observes StartupEvent startup) {
        if (access.allOpen()) {
            return;
        }
        meters = new RelyingPartyMeters(meterRegistry, "inkan.ocsp.relying.party",
                "OCSP queries answered per relying party", access.usage(), Caller.UNKNOWN_CALLERS);
        follower = new RegistryFollower(events.bootstrapServers(), config.access().registryTopic(), "ocsp-responder-registry",
                config.store().pollTimeout(), this::registry, access::registryLoaded);
        follower.start();
        usage = new UsagePublisher(events.bootstrapServers(), config.access().usageTopic(), "ocsp-responder", access.usage(),
                config.access().usagePublishInterval());
        usage.start();
    }

    private void registry(Collection<RelyingParty> parties) {
        access.registry(parties);
        meters.parties(parties);
        audit.registryApplied(parties);
    }

    /** Publishes this replica's usage now (the report command asks before it reads); false when nothing is counted here. */
    public boolean publishUsage() {
        UsagePublisher publisher = usage;
        if (publisher == null) {
            return false;
        }
        publisher.publish();
        return true;
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (follower != null) {
            follower.stop();
        }
        if (usage != null) {
            usage.stop();
        }
    }
}
