package jp.inkan.registration.ca;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.PathParam;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.ca.CertificateStatusView;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
import jp.inkan.common.ca.RevocationRequest;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** ca-service's internal API, reached over mutual TLS as registration-service ({@code quarkus.rest-client.ca.*}). */
@RegisterRestClient(configKey = "ca")
@Path("/internal/v1")
public interface CaApi {

    @POST
    @Path("/certificates")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    IssuedCertificate issue(IssuanceRequest request);

    @POST
    @Path("/cas/{ca}/certificates/{serial}/revocation")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    CertificateStatusView revoke(@PathParam("ca") String ca, @PathParam("serial") String serial,
                                 RevocationRequest request);

    @POST
    @Path("/cas/{ca}/certificates/{serial}/hold")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    CertificateStatusView hold(@PathParam("ca") String ca, @PathParam("serial") String serial,
                               RevocationRequest request);

    /** Records our audit chain head in ca-service's sealed chain. */
    @POST
    @Path("/audit/anchors")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    AuditAnchor anchor(AuditAnchor head);

    /** Every anchor of our chain recorded by ca-service, oldest first. */
    @jakarta.ws.rs.GET
    @Path("/audit/anchors")
    @Produces(MediaType.APPLICATION_JSON)
    java.util.List<AuditAnchor> anchors();
}
