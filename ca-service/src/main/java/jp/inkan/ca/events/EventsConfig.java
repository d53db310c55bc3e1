package jp.inkan.ca.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.Map;

/** Where certificate events go and how the outbox relay runs. */
@ConfigMapping(prefix = "inkan.events")
public interface EventsConfig {

    /** Kafka bootstrap servers. */
    @NotBlank
    String bootstrapServers();

    /** Extra Kafka producer/admin properties (TLS, SASL in production). */
    Map<String, String> kafka();

    Topic topic();

    Relay relay();

    interface Topic {
        @NotBlank
        String name();

        @Min(1)
        int partitions();

        @Min(1)
        @WithDefault("1")
        short replicationFactor();

        /** Topic configuration (cleanup.policy, retention.ms, min.insync.replicas, …), applied at creation. */
        Map<String, String> config();
    }

    interface Relay {
        /** Rows published per round (one producer flush, one update). */
        @Min(1)
        @Max(10_000)
        @WithDefault("500")
        int batchSize();

        /**
         * After a round that published less than a full batch, how long the relay lets events
         * gather before the next one. Each round costs a producer flush, an acknowledgement wait and
         * an update whatever its size, so under load a short window publishes several times as many
         * events per round; it adds at most this much to an event's way to the consumers.
         */
        @WithDefault("PT0.02S")
        Duration batchWindow();

        /** How long the relay sleeps when the outbox is empty, unless woken by a new event. */
        @WithDefault("PT1S")
        Duration idleWait();

        /** Wait before retrying after Kafka or the database failed. */
        @WithDefault("PT2S")
        Duration retryWait();

        /** Published rows are deleted after this long (they stay for audits and re-drives until then). */
        @WithDefault("P7D")
        Duration keepPublished();
    }
}
