package jp.inkan.ca.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.ca.inventory.StoredCertificate;
import jp.inkan.ca.issuance.IssuanceService;
import jp.inkan.ca.responder.ResponderCertificateService;
import jp.inkan.ca.revocation.RevocationService;
import jp.inkan.common.ca.CertificateStatusView;
import jp.inkan.common.ca.ResponderCertificateRequest;
import jp.inkan.common.ca.RevocationRequest;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.CaGeneration;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** ca-service's internal API: called by the registration service, never by municipalities directly. */
@Path("/internal/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CaResource {

    private final IssuanceService issuance;
    private final RevocationService revocation;
    private final ResponderCertificateService responders;
    private final CertificateStore store;
    private final KeyGenerations generations;

    public CaResource(IssuanceService issuance, RevocationService revocation, ResponderCertificateService responders,
                      CertificateStore store, KeyGenerations generations) {
        this.issuance = issuance;
        this.revocation = revocation;
        this.responders = responders;
        this.store = store;
        this.generations = generations;
    }

    @POST
    @Path("/certificates")
    @CallableBy(REGISTRATION)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Issue one certificate from a PKCS#10 CSR and the holder's facts")
    public Response issue(IssuanceRequest request) {
        IssuedCertificate issued = issuance.issue(request);
        URI location = URI.create("/internal/v1/cas/" + issued.type().name().toLowerCase(Locale.ROOT)
                + "/certificates/" + issued.serial());
        return Response.created(location).entity(issued).build();
    }

    @GET
    @Path("/cas/{ca}/certificates/{serial}")
    @CallableBy(REGISTRATION)
    @Operation(summary = "A recorded certificate by its CA and hex serial")
    public IssuedCertificate certificate(@PathParam("ca") String ca, @PathParam("serial") String serial) {
        CertificateType type = ca(ca);
        StoredCertificate stored = store.find(type, serial.toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", ""))
                .orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "No such certificate."));
        return issuance.view(stored);
    }

    @POST
    @Path("/cas/{ca}/certificates/{serial}/revocation")
    @CallableBy(REGISTRATION)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Revoke a certificate; repeats answer the first revocation, only keyCompromise may follow")
    public CertificateStatusView revoke(@PathParam("ca") String ca, @PathParam("serial") String serial,
                                        RevocationRequest request) {
        return revocation.revoke(ca(ca), serial, request);
    }

    @POST
    @Path("/cas/{ca}/certificates/{serial}/hold")
    @CallableBy(REGISTRATION)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Put a certificate on hold (certificateHold), e.g. for a lost card")
    public CertificateStatusView hold(@PathParam("ca") String ca, @PathParam("serial") String serial,
                                      RevocationRequest request) {
        return revocation.hold(ca(ca), serial, request == null ? null : request.municipalityCode());
    }

    @POST
    @Path("/responder-certificates")
    @CallableBy(OCSP_RESPONDER)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Issue a delegated OCSP responder certificate for one CA key generation")
    public Response responderCertificate(ResponderCertificateRequest request) {
        return Response.status(Response.Status.CREATED).entity(responders.issue(request)).build();
    }

    @GET
    @Path("/cas")
    @CallableBy({REGISTRATION, OCSP_RESPONDER, CRL_PUBLISHER})
    @Operation(summary = "Every key generation of both CAs with its root certificate")
    public List<CaGeneration> cas() {
        // Retired generations have no key: nothing to answer OCSP for or publish CRLs of.
        return generations.active().stream().map(CaResource::view).toList();
    }

    @GET
    @Path("/cas/{ca}/roots.pem")
    @CallableBy({REGISTRATION, OCSP_RESPONDER, CRL_PUBLISHER})
    @Produces("application/x-pem-file")
    @Operation(summary = "The roots of every key generation of one CA, PEM, for trust stores")
    public String roots(@PathParam("ca") String ca) {
        CertificateType type = ca(ca);
        return generations.all().stream().filter(g -> g.ca() == type)
                .map(g -> X509Encoder.pem(g.certificateDer())).collect(Collectors.joining());
    }

    @GET
    @Path("/cas/{ca}/links.pem")
    @CallableBy({REGISTRATION, OCSP_RESPONDER, CRL_PUBLISHER, OperatorIdentity.CLIENT})
    @Produces("application/x-pem-file")
    @Operation(summary = "Link certificates between consecutive key generations (NewWithOld, OldWithNew), PEM")
    public String links(@PathParam("ca") String ca) {
        CertificateType type = ca(ca);
        StringBuilder pem = new StringBuilder();
        for (KeyGeneration g : generations.all()) {
            if (g.ca() == type && g.linkFromPreviousDer() != null) {
                pem.append(X509Encoder.pem(g.linkFromPreviousDer())).append(X509Encoder.pem(g.linkToPreviousDer()));
            }
        }
        return pem.toString();
    }

    private static final String REGISTRATION = "registration-service";
    private static final String OCSP_RESPONDER = "ocsp-responder";
    private static final String CRL_PUBLISHER = "crl-publisher";

    private static CertificateType ca(String name) {
        try {
            return CertificateType.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CaException(CaException.Kind.NOT_FOUND, "No CA named '" + name + "' (signature, authentication).");
        }
    }

    private static CaGeneration view(KeyGeneration g) {
        return new CaGeneration(g.ca(), g.generation(), g.subjectDn(),
                HexFormat.of().formatHex(g.subjectKeyIdentifier()), g.notBefore(), g.notAfter(),
                X509Encoder.pem(g.certificateDer()));
    }
}
