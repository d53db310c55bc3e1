package jp.inkan.common.problem;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Anything not mapped elsewhere: logged in full with an incident id, answered with only that id so
 * no class names or stack traces reach the client.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Exception> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class);

    @Override
    public Response toResponse(Exception exception) {
        String incident = UUID.randomUUID().toString();
        LOG.errorf(exception, "Unexpected error, incident %s", incident);
        return ProblemResponses.of(Problem.of("internal-error", "Internal error", 500,
                "The request failed unexpectedly; quote incident " + incident + " to the operators."));
    }
}
