package jp.inkan.registration.config;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;

/** registration-service settings; defaults in application.properties. */
@ConfigMapping(prefix = "inkan.registration")
public interface RegistrationConfig {

    /** File holding the hex key of the resident record code's keyed hash (never the key in config). */
    Path residentHashKeyFile();
}
