package jp.inkan.ocsp.events;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jp.inkan.common.relyingparty.RegistryFollower;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.audit.AuditTrail;
import jp.inkan.ocsp.config.OcspConfig;

/**
 * Keeps {@link AccessControl}'s registry equal to the relying-party topic ({@link RegistryFollower}):
 * a change by the operator command takes effect within a poll (half a second). Not started when
 * every CA is open.
 */
@ApplicationScoped
public class RegistryConsumer {

    private final AccessControl access;
    private final EventsConfig events;
    private final OcspConfig config;
    private final AuditTrail audit;
    private RegistryFollower follower;

    public RegistryConsumer(AccessControl access, EventsConfig events, OcspConfig config, AuditTrail audit) {
        this.audit = audit;
        this.access = access;
        this.events = events;
        this.config = config;
    }

    void start(@Observes StartupEvent startup) {
        if (access.allOpen()) {
            return;
        }
        follower = new RegistryFollower(events.bootstrapServers(), config.access().registryTopic(), "ocsp-responder-registry",
                config.store().pollTimeout(), parties -> {
                    access.registry(parties);
                    audit.registryApplied(parties);
                }, access::registryLoaded);
        follower.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (follower != null) {
            follower.stop();
        }
    }
}
