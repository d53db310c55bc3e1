package jp.inkan.ca.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.control.OperatorRequests;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.common.CertificateType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The operator API (mTLS, operator certificates only): dual-controlled requests for rotation,
 * retirement, bootstrap and hold release; the key generations' state; the audit trail's check.
 */
@Path("/operator/v1")
@Produces(MediaType.APPLICATION_JSON)
@CallableBy(OperatorIdentity.CLIENT)
public class OperatorResource {

    /** A key generation as operators see it. */
    public record GenerationView(CertificateType ca, int generation, String keyAlias, String subjectKeyIdentifier,
                                 Instant notBefore, Instant notAfter, Instant issuingFrom, String state,
                                 Instant retiredAt, String rootPem, String linkFromPreviousPem,
                                 String linkToPreviousPem) {
    }

    private final OperatorRequests requests;
    private final OperatorIdentity operators;
    private final KeyGenerations generations;
    private final AuditLog audit;
    private final Clock clock;

    public OperatorResource(OperatorRequests requests, OperatorIdentity operators, KeyGenerations generations,
                            AuditLog audit, Clock clock) {
        this.requests = requests;
        this.operators = operators;
        this.generations = generations;
        this.audit = audit;
        this.clock = clock;
    }

    @POST
    @Path("/requests")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Ask for a dual-controlled action (ROTATE, RETIRE, BOOTSTRAP, RELEASE_HOLD); counts as the first approval")
    public Response request(OperatorRequests.Ask ask, @Context HttpServerRequest http) {
        OperatorRequests.Request created = requests.request(operators.of(http), ask);
        return Response.created(URI.create("/operator/v1/requests/" + created.id())).entity(created).build();
    }

    @GET
    @Path("/requests")
    @Operation(summary = "Every operator request with its approvals and outcome")
    public List<OperatorRequests.Request> list() {
        return requests.list();
    }

    @POST
    @Path("/requests/{id}/approval")
    @Operation(summary = "Approve a request (another operator than those who already did)")
    public OperatorRequests.Request approve(@PathParam("id") long id, @Context HttpServerRequest http) {
        return requests.approve(operators.of(http), id);
    }

    @POST
    @Path("/requests/{id}/execution")
    @Operation(summary = "Execute a request approved by enough distinct operators before it expired")
    public OperatorRequests.Request execute(@PathParam("id") long id, @Context HttpServerRequest http) {
        return requests.execute(operators.of(http), id);
    }

    @GET
    @Path("/generations")
    @Operation(summary = "Every key generation: issuing, scheduled, superseded (still signing CRLs/OCSP) or retired")
    public List<GenerationView> generations() {
        generations.changed();
        Instant now = clock.instant();
        return generations.all().stream().map(g -> view(g, now)).toList();
    }

    @GET
    @Path("/audit/verification")
    @Operation(summary = "Re-compute the audit chain and check its seals; lists where it is broken")
    public AuditLog.Verification verifyAudit() {
        return audit.verify();
    }

    @POST
    @Path("/audit/seal")
    @Operation(summary = "Seal the audit chain head now (it is also sealed on a schedule)")
    public Response sealAudit() {
        return Response.ok(java.util.Map.of("sealedSeq", audit.seal().map(Object::toString).orElse("nothing new"))).build();
    }

    private GenerationView view(KeyGeneration g, Instant now) {
        String state;
        if (g.retired()) {
            state = "RETIRED";
        } else if (g.issuingFrom().isAfter(now)) {
            state = "SCHEDULED";
        } else if (generations.issuingAt(g.ca(), now).map(i -> i.generation() == g.generation()).orElse(false)) {
            state = "ISSUING";
        } else {
            state = "SUPERSEDED";
        }
        return new GenerationView(g.ca(), g.generation(), g.keyAlias(), g.keyId(), g.notBefore(), g.notAfter(),
                g.issuingFrom(), state, g.retiredAt(), X509Encoder.pem(g.certificateDer()),
                g.linkFromPreviousDer() == null ? null : X509Encoder.pem(g.linkFromPreviousDer()),
                g.linkToPreviousDer() == null ? null : X509Encoder.pem(g.linkToPreviousDer()));
    }
}
