package jp.inkan.registration.ca;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
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
}
