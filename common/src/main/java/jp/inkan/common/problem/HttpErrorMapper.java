package jp.inkan.common.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Protocol-level refusals (unknown path, wrong method, wrong content type, …) as problem+json,
 * keeping the status the framework chose.
 */
@Provider
public class HttpErrorMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException exception) {
        // The framework reports an unreadable JSON body as a plain 400 wrapping the parser's error.
        for (Throwable cause = exception.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonProcessingException json) {
                return ProblemResponses.of(MalformedJsonMapper.problem(json));
            }
        }
        int status = exception.getResponse().getStatus();
        Response.StatusType statusType = Response.Status.fromStatusCode(status);
        String title = statusType != null ? statusType.getReasonPhrase() : "HTTP error";
        String slug = title.toLowerCase().replaceAll("[^a-z0-9]+", "-");
        return ProblemResponses.of(Problem.of(slug, title, status, detailFor(status)));
    }

    private static String detailFor(int status) {
        return switch (status) {
            case 404 -> "No such resource.";
            case 405 -> "The method is not allowed on this resource.";
            case 406 -> "The requested media type cannot be produced.";
            case 413 -> "The request body is too large.";
            case 415 -> "The content type is not supported by this resource.";
            default -> "The request could not be processed.";
        };
    }
}
