package jp.inkan.common.problem;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Well-formed JSON with a value of the wrong kind (text where a number goes, an unknown enum
 * constant): named by its field path, never by the Java type behind it.
 */
@Provider
public class MismatchedJsonMapper implements ExceptionMapper<MismatchedInputException> {

    @Override
    public Response toResponse(MismatchedInputException exception) {
        String field = path(exception.getPath());
        return ProblemResponses.of(Problem.of("malformed-body", "Malformed request body", 400,
                "A field has a value of the wrong kind.",
                List.of(new Problem.Violation(field, "has a value of the wrong kind or not one of the allowed values"))));
    }

    private static String path(List<JsonMappingException.Reference> references) {
        return references.stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
