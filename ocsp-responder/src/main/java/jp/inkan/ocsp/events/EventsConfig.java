package jp.inkan.ocsp.events;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;

/** The certificate-event topic ca-service publishes (same keys as ca-service's {@code inkan.events.*}). */
@ConfigMapping(prefix = "inkan.events")
public interface EventsConfig {

    @NotBlank
    String bootstrapServers();

    Topic topic();

    interface Topic {
        @NotBlank
        @WithDefault("inkan.certificate-events")
        String name();
    }
}
