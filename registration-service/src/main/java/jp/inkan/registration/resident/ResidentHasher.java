package jp.inkan.registration.resident;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import jp.inkan.registration.config.RegistrationConfig;

/**
 * The keyed hash (HMAC-SHA256) under which resident record codes are stored and looked up: equal
 * codes match, and without the key a stored hash cannot be turned back into a code by trying all
 * 10^11 of them.
 */
@ApplicationScoped
public class ResidentHasher {

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    public ResidentHasher(RegistrationConfig config) {
        try {
            byte[] bytes = HexFormat.of().parseHex(Files.readString(config.residentHashKeyFile()).strip());
            if (bytes.length < 32) {
                throw new IllegalStateException("The resident hash key needs at least 32 bytes");
            }
            this.key = new SecretKeySpec(bytes, "HmacSHA256");
        } catch (IOException | IllegalArgumentException e) {
            // The path is configuration, not a secret; the content never appears.
            throw new IllegalStateException("Cannot read the resident hash key from " + config.residentHashKeyFile(), e);
        }
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public byte[] hash(String residentRecordCode) {
        return macs.get().doFinal(residentRecordCode.getBytes(StandardCharsets.US_ASCII));
    }
}
