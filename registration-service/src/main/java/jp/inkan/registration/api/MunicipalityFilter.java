package jp.inkan.registration.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import jp.inkan.common.LocalGovernmentCode;
import jp.inkan.common.problem.Problem;
import jp.inkan.common.problem.ProblemResponses;
import jp.inkan.common.tls.PeerCertificate;
import jp.inkan.registration.audit.AuditLog;
import jp.inkan.registration.audit.AuditLog.Action;
import jp.inkan.registration.audit.AuditLog.Actor;
import jp.inkan.registration.audit.AuditLog.Outcome;
import jp.inkan.registration.municipality.Municipalities;
import jp.inkan.registration.municipality.RegisteredMunicipality;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who is calling, before any work: TLS has verified a certificate of the RA client CA; its subject
 * must carry a valid local government code (serialNumber) of a registered municipality, and it
 * must be the very certificate registered for that municipality.
 */
public class MunicipalityFilter {

    static final String ACTOR = "inkan.actor";
    private static final Logger LOG = Logger.getLogger(MunicipalityFilter.class);
    private static final Map<String, String> SERIAL_NUMBER = Map.of("2.5.4.5", "SERIALNUMBER");

    private final Municipalities municipalities;
    private final AuditLog audit;

    public MunicipalityFilter(Municipalities municipalities, AuditLog audit) {
        this.municipalities = municipalities;
        this.audit = audit;
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> identify(ContainerRequestContext context, HttpServerRequest request) {
        Optional<X509Certificate> client = PeerCertificate.of(request.sslSession());
        if (client.isEmpty()) {
            return Optional.of(ProblemResponses.of(Problem.of("client-certificate-required",
                    "Client certificate required", 401, "Municipalities call over mutual TLS only.")));
        }
        X500Principal subject = client.get().getSubjectX500Principal();
        String code = localGovernmentCode(subject);
        Optional<RegisteredMunicipality> municipality = code == null || LocalGovernmentCode.problemWith(code).isPresent()
                ? Optional.empty() : municipalities.registered(code);
        if (municipality.isEmpty() || !MessageDigest.isEqual(municipality.get().clientCertificateSha256(),
                Municipalities.fingerprint(client.get()))) {
            LOG.warnf("Refused client %s: not the registered certificate of a municipality", subject.getName());
            audit.recordAlone(new Actor(subject.getName(), null), Action.AUTHENTICATE, Outcome.REFUSED, null,
                    municipality.isEmpty() ? "no registered municipality for this certificate"
                            : "certificate is not the one registered for " + code);
            return Optional.of(ProblemResponses.of(Problem.of("municipality-not-registered",
                    "Municipality not registered", 403,
                    "This client certificate is not registered for a municipality.")));
        }
        context.setProperty(ACTOR, new Actor(subject.getName(), code));
        return Optional.empty();
    }

    /** The serialNumber attribute of the subject: where the RA client CA puts the local government code. */
    static String localGovernmentCode(X500Principal subject) {
        try {
            for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253, SERIAL_NUMBER)).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("SERIALNUMBER")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }
}
