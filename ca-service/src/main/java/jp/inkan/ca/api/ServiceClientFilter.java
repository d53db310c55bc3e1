package jp.inkan.ca.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.common.problem.Problem;
import jp.inkan.common.problem.ProblemResponses;
import jp.inkan.common.tls.PeerCertificate;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Only the services named in {@code inkan.ca.api.allowed-clients} may call the API. TLS already
 * required a client certificate from the service CA; this picks which of its holders may call.
 */
public class ServiceClientFilter {

    private static final Logger LOG = Logger.getLogger(ServiceClientFilter.class);

    private final Set<X500Principal> allowed;

    public ServiceClientFilter(CaConfig config) {
        this.allowed = config.api().allowedClients().stream().map(X500Principal::new).collect(Collectors.toSet());
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> onlyAllowedServices(HttpServerRequest request) {
        Optional<X509Certificate> client = PeerCertificate.of(request.sslSession());
        if (client.isEmpty()) {
            return Optional.of(ProblemResponses.of(Problem.of("client-certificate-required",
                    "Client certificate required", 401, "ca-service is reached over mutual TLS only.")));
        }
        X500Principal subject = client.get().getSubjectX500Principal();
        if (!allowed.contains(subject)) {
            LOG.warnf("Refused a call from %s: not an allowed client of ca-service", subject.getName());
            return Optional.of(ProblemResponses.of(Problem.of("client-not-allowed", "Client not allowed", 403,
                    "This client certificate may not use ca-service.")));
        }
        return Optional.empty();
    }
}
