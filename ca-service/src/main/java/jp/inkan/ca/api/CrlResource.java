package jp.inkan.ca.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import jp.inkan.ca.crl.CrlDistributionPoints;
import jp.inkan.ca.crl.CrlSigningService;
import jp.inkan.ca.error.CaException;
import jp.inkan.common.CertificateType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** CRL signing for crl-publisher: it builds CRLs from the certificate events, only ca-service signs. */
@Path("/internal/v1/cas/{ca}/generations/{generation}")
@Produces(MediaType.APPLICATION_JSON)
public class CrlResource {

    static final String CRL_PUBLISHER = "crl-publisher";
    /** A DER TBSCertList (RFC 5280 §5.1.2): not a CRL yet, so not application/pkix-crl. */
    public static final String TBS_CERT_LIST = "application/octet-stream";

    private final CrlSigningService signing;
    private final CrlDistributionPoints distributionPoints;

    public CrlResource(CrlSigningService signing, CrlDistributionPoints distributionPoints) {
        this.signing = signing;
        this.distributionPoints = distributionPoints;
    }

    @POST
    @Path("/crls")
    @CallableBy(CRL_PUBLISHER)
    @Consumes(TBS_CERT_LIST)
    @Operation(summary = "Sign a CRL: the body is its DER TBSCertList, streamed; the answer is the signature. "
            + "Refused (422) unless issuer, key identifier, version 2, algorithm, dates and structure are right; "
            + "409 if the number was signed for other content in the same scope")
    public CrlSigningService.SignedCrl sign(@PathParam("ca") String ca, @PathParam("generation") int generation,
                                            InputStream tbs) {
        return signing.sign(ca(ca), generation, tbs, CRL_PUBLISHER);
    }

    @GET
    @Path("/crl-distribution-points")
    @CallableBy(CRL_PUBLISHER)
    @Operation(summary = "The CRL distribution point (DirName and URI) of every municipality for this generation")
    public List<CrlDistributionPoints.DistributionPoint> distributionPoints(@PathParam("ca") String ca,
                                                                           @PathParam("generation") int generation) {
        return distributionPoints.list(ca(ca), generation);
    }

    private static CertificateType ca(String name) {
        try {
            return CertificateType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CaException(CaException.Kind.NOT_FOUND, "No CA named '" + name + "' (signature, authentication).");
        }
    }
}
