package jp.inkan.registration.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import jp.inkan.registration.application.ApplicationRequest;
import jp.inkan.registration.application.ApplicationResult;
import jp.inkan.registration.application.ApplicationService;
import jp.inkan.registration.audit.AuditLog.Actor;
import jp.inkan.registration.error.RegistrationException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** The municipality-facing API. Every call is made as the municipality of the client certificate. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class ApplicationResource {

    /** What {@link #certificates} answers: the resident's applications at this municipality. */
    public record ResidentCertificates(List<ApplicationResult> applications) {
    }

    private final ApplicationService service;

    public ApplicationResource(ApplicationService service) {
        this.service = service;
    }

    @POST
    @Path("/applications")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a card application: issues the requested signature and authentication certificates")
    @APIResponse(responseCode = "201", description = "Issued (or the same result again for a repeated Idempotency-Key and body)")
    @APIResponse(responseCode = "400", description = "Invalid fields, each listed (problem+json); nothing stored")
    @APIResponse(responseCode = "409", description = "Idempotency-Key already used with a different body")
    @APIResponse(responseCode = "503", description = "ca-service unavailable; retry with the same Idempotency-Key")
    public Response submit(
            @Parameter(description = "Client-chosen key; retries of one application reuse it", required = true)
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            ApplicationRequest request, @Context ContainerRequestContext context) {
        ApplicationService.Submitted submitted = service.submit(actor(context), idempotencyKey, request);
        return Response.created(URI.create("/api/v1/applications/" + submitted.result().applicationId()))
                .entity(submitted.result()).build();
    }

    @GET
    @Path("/applications/{id}")
    @Operation(summary = "One of this municipality's applications with its certificates")
    public ApplicationResult application(@PathParam("id") String id, @Context ContainerRequestContext context) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new RegistrationException(RegistrationException.Kind.NOT_FOUND, "No such application.");
        }
        return service.find(actor(context), uuid);
    }

    @GET
    @Path("/certificates")
    @Operation(summary = "A resident's applications and certificates at this municipality")
    public ResidentCertificates certificates(@QueryParam("residentRecordCode") String residentRecordCode,
                                             @Context ContainerRequestContext context) {
        return new ResidentCertificates(service.ofResident(actor(context), residentRecordCode));
    }

    private static Actor actor(ContainerRequestContext context) {
        return (Actor) context.getProperty(MunicipalityFilter.ACTOR);
    }
}
