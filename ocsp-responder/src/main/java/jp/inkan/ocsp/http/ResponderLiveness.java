package jp.inkan.ocsp.http;

import jakarta.enterprise.context.ApplicationScoped;
import jp.inkan.ocsp.events.EventConsumer;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live unless the event consumer thread ended on an error: the store then never follows the topic
 * again, and only a restart (which rebuilds from the snapshot) helps.
 */
@Liveness
@ApplicationScoped
public class ResponderLiveness implements HealthCheck {

    private final EventConsumer consumer;

    public ResponderLiveness(EventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("event-consumer").status(!consumer.failed()).build();
    }
}
