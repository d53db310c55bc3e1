package jp.inkan.registration.ca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.CertificateStatusView;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
import jp.inkan.common.ca.RevocationRequest;
import jp.inkan.registration.error.RegistrationException;
import jp.inkan.registration.error.RegistrationException.CaRefusal;
import jp.inkan.registration.error.RegistrationException.Kind;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Issues through ca-service and says in our terms what went wrong: a refusal (4xx, with the CA's
 * problem) is final for this request; anything else (down, slow, 5xx) may be retried with the
 * same request id, which ca-service answers with the certificate it already issued.
 */
@ApplicationScoped
public class CertificateAuthority {

    private static final Logger LOG = Logger.getLogger(CertificateAuthority.class);

    private final CaApi api;
    private final ObjectMapper json;

    public CertificateAuthority(@RestClient CaApi api, ObjectMapper json) {
        this.api = api;
        this.json = json;
    }

    public IssuedCertificate issue(IssuanceRequest request) {
        return call(() -> api.issue(request), "request " + request.requestId(),
                "The certification authority is unavailable; retry with the same Idempotency-Key.");
    }

    /** Revokes (or, repeated, answers with the revocation of record); ca-service checks the municipality. */
    public CertificateStatusView revoke(CertificateType ca, String serial, RevocationRequest request) {
        return call(() -> api.revoke(ca.name().toLowerCase(), serial, request), "revocation of " + serial,
                "The certification authority is unavailable; the revocation was not recorded, retry it.");
    }

    public CertificateStatusView hold(CertificateType ca, String serial, RevocationRequest request) {
        return call(() -> api.hold(ca.name().toLowerCase(), serial, request), "hold of " + serial,
                "The certification authority is unavailable; the hold was not recorded, retry it.");
    }

    private <T> T call(Supplier<T> call, String what, String unavailable) {
        try {
            return call.get();
        } catch (WebApplicationException e) {
            Response response = e.getResponse();
            int status = response.getStatus();
            if (status >= 400 && status < 500) {
                JsonNode problem = problem(response);
                throw new RegistrationException(new CaRefusal(status, problem.path("type").asText("about:blank"),
                        problem.path("title").asText("Refused by the CA")),
                        problem.path("detail").asText("The certification authority refused the request."));
            }
            LOG.warnf("ca-service answered %d for %s", status, what);
            throw new RegistrationException(Kind.CA_UNAVAILABLE, unavailable, e);
        } catch (ProcessingException e) {
            LOG.warnf("ca-service unreachable for %s: %s", what, e.getMessage());
            throw new RegistrationException(Kind.CA_UNAVAILABLE, unavailable, e);
        }
    }

    private JsonNode problem(Response response) {
        try {
            return json.readTree(response.readEntity(String.class));
        } catch (Exception e) {
            return json.createObjectNode();
        }
    }
}
