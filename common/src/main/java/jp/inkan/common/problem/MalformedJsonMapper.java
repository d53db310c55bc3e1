package jp.inkan.common.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A body that is not the JSON the resource expects. The parser's message names no classes here. */
@Provider
public class MalformedJsonMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException exception) {
        return ProblemResponses.of(problem(exception));
    }

    static Problem problem(JsonProcessingException exception) {
        String where = exception.getLocation() == null ? ""
                : " (line " + exception.getLocation().getLineNr() + ", column " + exception.getLocation().getColumnNr() + ")";
        return Problem.of("malformed-body", "Malformed request body", 400,
                "The body is not valid JSON of the expected shape" + where + ".");
    }
}
