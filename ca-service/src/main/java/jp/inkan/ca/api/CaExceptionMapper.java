package jp.inkan.ca.api;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import jp.inkan.ca.error.CaException;
import jp.inkan.common.problem.Problem;
import jp.inkan.common.problem.ProblemResponses;
import org.jboss.logging.Logger;

/** The one place CA errors become HTTP: a status and problem type per kind. */
@Provider
public class CaExceptionMapper implements ExceptionMapper<CaException> {

    private static final Logger LOG = Logger.getLogger(CaExceptionMapper.class);

    @Override
    public Response toResponse(CaException e) {
        Problem problem = switch (e.kind()) {
            case INVALID_REQUEST -> Problem.of("invalid-request", "Invalid request", 400, e.getMessage(),
                    e.violations().stream().map(v -> new Problem.Violation(v.field(), v.message())).toList());
            case KEY_REJECTED -> Problem.of("key-rejected", "Key rejected", 400, e.getMessage());
            case KEY_REUSED -> Problem.of("key-reused", "Key already certified", 409, e.getMessage());
            case REQUEST_ID_REUSED -> Problem.of("request-id-reused", "Request id already used", 409, e.getMessage());
            case NOT_ELIGIBLE -> Problem.of("not-eligible", "Holder not eligible", 422, e.getMessage());
            case NOT_FOUND -> Problem.of("not-found", "Not found", 404, e.getMessage());
            case REVOCATION_CONFLICT -> Problem.of("revocation-conflict", "Already revoked", 409, e.getMessage());
            case DISABLED -> Problem.of("disabled", "Operation disabled", 403, e.getMessage());
            case CA_NOT_READY -> Problem.of("ca-not-ready", "CA not ready", 503, e.getMessage());
            case HSM_UNAVAILABLE -> {
                // The detail names token internals: for the log, not the client.
                LOG.errorf(e, "HSM unavailable: %s", e.getMessage());
                yield Problem.of("hsm-unavailable", "HSM unavailable", 503,
                        "The signing module is unavailable; retry later.");
            }
            case INVENTORY_UNAVAILABLE -> {
                LOG.errorf(e, "Inventory unavailable: %s", e.getMessage());
                yield Problem.of("inventory-unavailable", "Inventory unavailable", 503,
                        "The certificate could not be recorded, so none was issued; retry later.");
            }
            case CRL_REFUSED -> Problem.of("crl-refused", "CRL content refused", 422, e.getMessage());
            case CRL_NUMBER_REUSED -> Problem.of("crl-number-reused", "CRL number already used", 409, e.getMessage());
            case ROTATION_CONFLICT -> Problem.of("rotation-conflict", "Not possible in this key generation state", 409,
                    e.getMessage());
            case APPROVALS_MISSING -> Problem.of("approvals-missing", "Not enough approvals", 409, e.getMessage());
            case REQUEST_EXPIRED -> Problem.of("request-expired", "Request expired", 409, e.getMessage());
            case REQUEST_CLOSED -> Problem.of("request-closed", "Request closed", 409, e.getMessage());
            case SERIAL_EXHAUSTED -> {
                LOG.error(e.getMessage());
                yield Problem.of("serial-exhausted", "No serial number", 503, e.getMessage());
            }
        };
        Response response = ProblemResponses.of(problem);
        if (problem.status() == 503) {
            return Response.fromResponse(response).header("Retry-After", "5").build();
        }
        return response;
    }
}
