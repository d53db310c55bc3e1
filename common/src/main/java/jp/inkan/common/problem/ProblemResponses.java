package jp.inkan.common.problem;

import jakarta.ws.rs.core.Response;

/** Turns a {@link Problem} into an HTTP response; the one place the media type is set. */
public final class ProblemResponses {

    private ProblemResponses() {
    }

    public static Response of(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
