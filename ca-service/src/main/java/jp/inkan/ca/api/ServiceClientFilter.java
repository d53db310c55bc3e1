package jp.inkan.ca.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.common.problem.Problem;
import jp.inkan.common.problem.ProblemResponses;
import jp.inkan.common.tls.PeerCertificate;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who may call what. TLS already required a client certificate from the service CA; this maps its
 * subject to a client name ({@code inkan.ca.api.clients}) and checks the endpoint's
 * {@link CallableBy}.
 */
public class ServiceClientFilter {

    private static final Logger LOG = Logger.getLogger(ServiceClientFilter.class);

    private final ServiceClients clients;
    private final OperatorIdentity operators;

    private final AuditLog audit;

    public ServiceClientFilter(ServiceClients clients, OperatorIdentity operators, AuditLog audit) {
        this.audit = audit;
        this.clients = clients;
        this.operators = operators;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> onlyAllowedServices(HttpServerRequest request, ResourceInfo resource) {
        Optional<X509Certificate> client = PeerCertificate.of(request.sslSession());
        if (client.isEmpty()) {
            return Optional.of(ProblemResponses.of(Problem.of("client-certificate-required",
                    "Client certificate required", 401, "ca-service is reached over mutual TLS only.")));
        }
        X500Principal subject = client.get().getSubjectX500Principal();
        String name = clients.name(subject).orElse(null);
        if (name == null && operators.name(subject).isPresent()) {
            name = OperatorIdentity.CLIENT;
        }
        if (name == null || !callable(resource, name)) {
            LOG.warnf("Refused a call to %s %s from %s (%s)", request.method(), request.path(), subject.getName(),
                    name == null ? "not a client of ca-service" : "not allowed to call it");
            try {
                audit.record(subject.getName(), "client.refused", request.method() + " " + request.path(),
                        name == null ? "not a client of ca-service" : "client " + name + " may not call it");
            } catch (RuntimeException e) {
                LOG.error("Could not audit a refused call", e);
            }
            return Optional.of(ProblemResponses.of(Problem.of("client-not-allowed", "Client not allowed", 403,
                    "This client certificate may not use this endpoint of ca-service.")));
        }
        return Optional.empty();
    }

    private static boolean callable(ResourceInfo resource, String client) {
        if (resource == null || resource.getResourceMethod() == null) {
            return false;
        }
        CallableBy callers = resource.getResourceMethod().getAnnotation(CallableBy.class);
        if (callers == null) {
            callers = resource.getResourceClass().getAnnotation(CallableBy.class);
        }
        return callers != null && Arrays.asList(callers.value()).contains(client);
    }
}
