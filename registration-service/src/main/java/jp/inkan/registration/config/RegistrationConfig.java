package jp.inkan.registration.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;

/** registration-service settings; defaults in application.properties. */
@ConfigMapping(prefix = "inkan.registration")
public interface RegistrationConfig {

    /** File holding the hex key of the resident record code's keyed hash (never the key in config). */
    Path residentHashKeyFile();

    /** The audit trail's anchoring in ca-service. */
    Audit audit();

    interface Audit {
        /** How often the chain head is anchored in ca-service (also at shutdown); {@code off} for never. */
        @io.smallrye.config.WithDefault("PT1M")
        String anchorEvery();
    }
}
