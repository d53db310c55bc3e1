package jp.inkan.ocsp.http;

import jakarta.enterprise.context.ApplicationScoped;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.events.EventConsumer;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.signing.ResponderKeys;
import jp.inkan.ocsp.store.StatusStore;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when answers would be right: the store has caught up with the topic's end offsets
 * seen at start and the broker still answers (within {@code inkan.ocsp.store.broker-stale-after}),
 * the CA list is loaded, every served generation that issued certificates has a responder
 * certificate (a new one before its switch does not count: see ResponderCredentials), the token answers
 * a real call, and (unless every CA is open) the relying-party registry is loaded.
 */
@Readiness
@ApplicationScoped
public class ResponderReadiness implements HealthCheck {

    private final EventConsumer consumer;
    private final CaDirectory directory;
    private final ResponderCredentials credentials;
    private final ResponderKeys keys;
    private final AccessControl access;
    private final StatusStore store;

    public ResponderReadiness(EventConsumer consumer, CaDirectory directory, ResponderCredentials credentials, ResponderKeys keys,
                              AccessControl access, StatusStore store) {
        this.access = access;
        this.store = store;
        this.consumer = consumer;
        this.directory = directory;
        this.credentials = credentials;
        this.keys = keys;
    }

    @Override
    public HealthCheckResponse call() {
        boolean caughtUp = consumer.caughtUp();
        boolean kafka = consumer.brokerReachable();
        boolean listed = !directory.served().isEmpty();
        boolean certified = listed && credentials.complete(directory.served(), issuer -> store.hasCertificatesOf(issuer.keyId()));
        boolean token;
        try {
            keys.probe();
            token = true;
        } catch (RuntimeException e) {
            token = false;
        }
        boolean registry = access.ready();
        return HealthCheckResponse.named("ocsp-responder").status(caughtUp && kafka && listed && certified && token && registry)
                .withData("relyingPartyRegistry", registry)
                .withData("storeCaughtUp", caughtUp).withData("kafka", kafka).withData("lag", consumer.lag()).withData("caGenerations", directory.served().size())
                .withData("responderCertificates", certified).withData("token", token).build();
    }
}
