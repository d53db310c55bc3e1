package jp.inkan.ca.events;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import io.smallrye.health.api.Wellness;

/**
 * Whether certificate events can reach Kafka: the broker answers a metadata request and the relay's
 * last round did not fail. A <em>wellness</em> check ({@code /q/health/well}), not readiness: issuance
 * and revocation do not need Kafka (events wait in the outbox), so a Kafka outage must not take
 * ca-service out of service; it is an alert, not a reason to stop routing requests.
 */
@Wellness
@ApplicationScoped
public class EventsHealth implements HealthCheck {

    private final EventsConfig config;
    private final OutboxRelay relay;
    private volatile Admin admin;

    public EventsHealth(EventsConfig config, OutboxRelay relay) {
        this.config = config;
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("certificate-events").withData("published", relay.published());
        boolean reachable;
        try {
            int nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                    .get(4, TimeUnit.SECONDS).size();
            reachable = nodes > 0;
            response.withData("brokers", nodes);
        } catch (Exception e) {
            reachable = false;
            response.withData("error", "broker unreachable");
        }
        relay.lastFailure().ifPresent(failure -> response.withData("relay", "failing"));
        return response.status(reachable && relay.topicReady() && relay.lastFailure().isEmpty()).build();
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> properties = new HashMap<>(config.kafka());
                    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
                    properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "ca-service-health");
                    properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
                    admin = Admin.create(properties);
                }
                a = admin;
            }
        }
        return a;
    }

    void close(@Observes ShutdownEvent shutdown) {
        Admin a = admin;
        if (a != null) {
            a.close(java.time.Duration.ofSeconds(2));
        }
    }
}
