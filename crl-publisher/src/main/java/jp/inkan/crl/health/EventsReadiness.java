package jp.inkan.crl.health;

import jakarta.enterprise.context.ApplicationScoped;
import jp.inkan.crl.events.EventConsumer;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the certificate events still arrive: the broker answered the consumer within
 * {@code inkan.crl.events.broker-stale-after}. A CRL built without them would miss revocations.
 * (The database has Quarkus's own datasource check.)
 */
@Readiness
@ApplicationScoped
public class EventsReadiness implements HealthCheck {

    private final EventConsumer consumer;

    public EventsReadiness(EventConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        if (!consumer.enabled()) {
            return HealthCheckResponse.named("certificate-events").up().withData("consumer", "disabled").build();
        }
        return HealthCheckResponse.named("certificate-events").status(consumer.brokerReachable())
                .withData("assignedPartitions", consumer.assigned()).withData("lag", consumer.lag()).build();
    }
}
