package jp.inkan.ca.api;

import jakarta.enterprise.context.ApplicationScoped;
import jp.inkan.ca.hsm.CryptoToken;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the token answers a real call (and re-opens it if it dropped us). */
@Readiness
@ApplicationScoped
public class HsmReadiness implements HealthCheck {

    private final CryptoToken token;

    public HsmReadiness(CryptoToken token) {
        this.token = token;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            token.probe();
            return HealthCheckResponse.up("hsm");
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("hsm").down().withData("error", "token unavailable").build();
        }
    }
}
