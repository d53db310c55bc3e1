package jp.inkan.registration.api;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import jp.inkan.common.problem.Problem;
import jp.inkan.common.problem.ProblemResponses;
import jp.inkan.registration.error.RegistrationException;

/** The one place registration errors become HTTP. A CA refusal keeps the CA's status and problem type. */
@Provider
public class RegistrationExceptionMapper implements ExceptionMapper<RegistrationException> {

    @Override
    public Response toResponse(RegistrationException e) {
        Problem problem = switch (e.kind()) {
            case INVALID_REQUEST -> Problem.of("invalid-request", "Invalid request", 400, e.getMessage(),
                    e.violations().stream().map(v -> new Problem.Violation(v.field(), v.message())).toList());
            case IDEMPOTENCY_CONFLICT -> Problem.of("idempotency-key-reused", "Idempotency-Key reused", 409,
                    e.getMessage());
            case NOT_FOUND -> Problem.of("not-found", "Not found", 404, e.getMessage());
            case CA_REFUSED -> Problem.of(slug(e.refusal().type()), e.refusal().title(), e.refusal().status(),
                    e.getMessage());
            case CA_UNAVAILABLE -> Problem.of("ca-unavailable", "Certification authority unavailable", 503,
                    e.getMessage());
        };
        Response response = ProblemResponses.of(problem);
        return problem.status() == 503 ? Response.fromResponse(response).header("Retry-After", "5").build() : response;
    }

    /** ca-service's problem types share our urn prefix; keep the slug, anything else becomes ca-refused. */
    private static String slug(String type) {
        String prefix = "urn:inkan:problem:";
        return type != null && type.startsWith(prefix) ? type.substring(prefix.length()) : "ca-refused";
    }
}
