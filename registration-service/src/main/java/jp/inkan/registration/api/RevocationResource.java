package jp.inkan.registration.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jp.inkan.common.ca.CertificateStatusView;
import jp.inkan.registration.audit.AuditLog.Actor;
import jp.inkan.registration.revocation.ResidentEvent;
import jp.inkan.registration.revocation.RevocationCommand;
import jp.inkan.registration.revocation.RevocationOutcome;
import jp.inkan.registration.revocation.RevocationService;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Ending certificates: revocation at the counter, hold from the loss line, events from the resident registry. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class RevocationResource {

    private final RevocationService service;

    public RevocationResource(RevocationService service) {
        this.service = service;
    }

    @POST
    @Path("/certificates/{serial}/revocation")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Revoke one of this municipality's certificates")
    @APIResponse(responseCode = "200", description = "Revoked; a repeat answers with the first revocation's time and"
            + " reason (unchanged: true). Only a change to keyCompromise is accepted afterwards.")
    @APIResponse(responseCode = "400", description = "Invalid fields, each listed (problem+json)")
    @APIResponse(responseCode = "404", description = "No such certificate of this municipality")
    @APIResponse(responseCode = "409", description = "Already revoked for another reason")
    @APIResponse(responseCode = "503", description = "ca-service unavailable; nothing was recorded, retry")
    public CertificateStatusView revoke(@PathParam("serial") String serial,
            @Parameter(description = "signature or authentication; only needed if the serial names certificates of both CAs")
            @QueryParam("ca") String ca,
            RevocationCommand command, @Context ContainerRequestContext context) {
        return service.revoke(actor(context), serial, ca, command);
    }

    @POST
    @Path("/certificates/{serial}/hold")
    @Operation(summary = "Put one of this municipality's certificates on hold (certificateHold), e.g. for a lost card")
    @APIResponse(responseCode = "200", description = "On hold (or already on hold / revoked: its status of record)")
    @APIResponse(responseCode = "404", description = "No such certificate of this municipality")
    @APIResponse(responseCode = "503", description = "ca-service unavailable; nothing was recorded, retry")
    public CertificateStatusView hold(@PathParam("serial") String serial, @QueryParam("ca") String ca,
                                      @Context ContainerRequestContext context) {
        return service.hold(actor(context), serial, ca);
    }

    @POST
    @Path("/residents/events")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A resident registry event: revokes the certificates it ends (basic four facts changed:"
            + " the signature certificate; death, record deletion, card returned, card expiry brought forward: both)")
    @APIResponse(responseCode = "200", description = "The certificates ended (a repeat answers them unchanged)")
    @APIResponse(responseCode = "400", description = "Invalid fields, each listed (problem+json)")
    @APIResponse(responseCode = "503", description = "ca-service unavailable; repeat the event to finish it")
    public RevocationOutcome residentEvent(ResidentEvent event, @Context ContainerRequestContext context) {
        return service.residentEvent(actor(context), event);
    }

    private static Actor actor(ContainerRequestContext context) {
        return (Actor) context.getProperty(MunicipalityFilter.ACTOR);
    }
}
