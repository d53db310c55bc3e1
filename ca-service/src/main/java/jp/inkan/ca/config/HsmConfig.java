package jp.inkan.ca.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The PKCS#11 token holding the CA keys. SunPKCS11 addresses a token by slot id or slot list index
 * (it has no token-label keyword); deploy/local resolves SoftHSM2 labels to slot ids.
 */
@ConfigMapping(prefix = "inkan.hsm")
public interface HsmConfig {

    @NotBlank
    String library();

    OptionalLong slot();

    OptionalInt slotListIndex();

    /** Environment variable holding the user PIN. */
    @WithDefault("INKAN_HSM_PIN")
    String pinEnv();

    /** File holding the user PIN (first line); wins over {@link #pinEnv()}. */
    Optional<Path> pinFile();

    /** Times a request is retried on a re-opened token after the token dropped its sessions. */
    @Min(0)
    @Max(10)
    @WithDefault("3")
    int reopenAttempts();
}
