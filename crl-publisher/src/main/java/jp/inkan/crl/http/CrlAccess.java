package jp.inkan.crl.http;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RegistryFollower;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.common.relyingparty.RelyingPartyIndex;
import jp.inkan.common.relyingparty.TokenBucket;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.crl.audit.AuditTrail;
import jp.inkan.crl.config.CrlConfig;

/**
 * The relying-party rules for CRL downloads, per CA, from the same registry topic the OCSP
 * responders follow (a change applies within about a second, no restart).
 */
@ApplicationScoped
public class CrlAccess {

    public enum Mode {
        OPEN, MTLS
    }

    public enum Outcome {
        ALLOW, NO_CERTIFICATE, FORBIDDEN, RATE_LIMITED, REGISTRY_LOADING
    }

    private final CrlConfig config;
    private final AuditTrail audit;
    private final Clock clock = Clock.systemUTC();
    private final Usage usage = new Usage(clock);
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile RelyingPartyIndex registry = RelyingPartyIndex.EMPTY;
    private volatile boolean loaded;
    private RegistryFollower follower;

    public CrlAccess(CrlConfig config, AuditTrail audit) {
        this.config = config;
        this.audit = audit;
    }

    void start(@Observes StartupEvent startup) {
        if (mode(CertificateType.SIGNATURE) == Mode.OPEN && mode(CertificateType.AUTHENTICATION) == Mode.OPEN) {
            return;
        }
        follower = new RegistryFollower(config.events().bootstrapServers(), config.access().registryTopic(),
                "crl-publisher-registry", Duration.ofMillis(500), this::registry, () -> loaded = true);
        follower.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (follower != null) {
            follower.stop();
        }
    }

    void registry(Collection<RelyingParty> parties) {
        RelyingPartyIndex index = new RelyingPartyIndex(parties);
        registry = index;
        buckets.keySet().removeIf(id -> index.byId(id).map(p -> p.requestsPerSecond() == null).orElse(true));
    }

    public Mode mode(CertificateType ca) {
        return ca == CertificateType.SIGNATURE ? config.access().signature() : config.access().authentication();
    }

    public Usage usage() {
        return usage;
    }

    /** Whether this download of {@code ca}'s CRL may be served to the caller of that TLS session. */
    public Outcome check(CertificateType ca, Optional<X509Certificate> clientCertificate) {
        RelyingParty party = clientCertificate.flatMap(this::party).orElse(null);
        if (mode(ca) == Mode.OPEN) {
            if (party != null) {
                usage.query(party.id());
            }
            return Outcome.ALLOW;
        }
        if (!loaded) {
            return Outcome.REGISTRY_LOADING;
        }
        if (clientCertificate.isEmpty()) {
            usage.refusal("anonymous");
            audit.refused("anonymous", ca.name().toLowerCase(java.util.Locale.ROOT) + " CRL: no client certificate");
            return Outcome.NO_CERTIFICATE;
        }
        if (party == null || !party.active() || !party.entitledTo(ca)) {
            usage.refusal(party == null ? "unregistered" : party.id());
            audit.refused(party == null ? "unregistered" : party.id(), ca.name().toLowerCase(java.util.Locale.ROOT)
                    + " CRL: " + (party == null ? "certificate of no relying party" : !party.active() ? "party inactive"
                    : "party not entitled to this CA"));
            return Outcome.FORBIDDEN;
        }
        Integer rate = party.requestsPerSecond();
        if (rate != null) {
            TokenBucket bucket = buckets.compute(party.id(), (id, b) -> b != null && b.rate() == rate ? b
                    : new TokenBucket(rate, clock.millis()));
            if (!bucket.tryTake(clock.millis())) {
                usage.rateLimited(party.id());
                audit.refused(party.id(), ca.name().toLowerCase(java.util.Locale.ROOT) + " CRL: over its request rate");
                return Outcome.RATE_LIMITED;
            }
        }
        usage.query(party.id());
        return Outcome.ALLOW;
    }

    private Optional<RelyingParty> party(X509Certificate certificate) {
        try {
            return registry.byClientCertificate(RelyingParty.fingerprint(certificate.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            return Optional.empty();
        }
    }
}
