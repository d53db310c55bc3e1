package jp.inkan.ca.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.security.cert.X509Certificate;
import java.util.List;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.error.CaException;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.tls.PeerCertificate;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The other services' audit chain heads, anchored in ca-service's sealed chain. The chain belongs
 * to the calling client (its certificate), never to a name in the body; clients not listed here
 * are refused and audited by {@link ServiceClientFilter}.
 */
@Path("/internal/v1/audit/anchors")
@Produces(MediaType.APPLICATION_JSON)
@CallableBy({"registration-service", "crl-publisher", "ocsp-responder"})
public class AuditAnchorResource {

    private final AuditLog audit;
    private final ServiceClients clients;

    public AuditAnchorResource(AuditLog audit, ServiceClients clients) {
        this.audit = audit;
        this.clients = clients;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record the caller's audit chain head (chain, seq, entryHash) in ca-service's sealed chain")
    public AuditAnchor anchor(AuditAnchor anchor, @Context HttpServerRequest http) {
        X509Certificate caller = caller(http);
        return audit.anchor(client(caller), caller.getSubjectX500Principal().getName(), anchor);
    }

    @GET
    @Operation(summary = "Every anchor of the caller's audit chains, oldest first")
    public List<AuditAnchor> anchors(@Context HttpServerRequest http) {
        return audit.anchors(client(caller(http)));
    }

    private static X509Certificate caller(HttpServerRequest http) {
        return PeerCertificate.of(http.sslSession())
                .orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "No client certificate."));
    }

    private String client(X509Certificate caller) {
        return clients.name(caller.getSubjectX500Principal())
                .orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "Not a client of ca-service."));
    }
}
