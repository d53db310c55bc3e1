package jp.inkan.crl.http;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RegistryFollower;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.common.relyingparty.RelyingPartyIndex;
import jp.inkan.common.relyingparty.RelyingPartyMeters;
import jp.inkan.common.relyingparty.UsagePublisher;
import jp.inkan.common.relyingparty.TokenBucket;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.crl.audit.AuditTrail;
import jp.inkan.crl.config.CrlAccessMode;
import jp.inkan.crl.config.CrlConfig;

/**
 * The relying-party rules for CRL downloads, per CA, from the same registry topic the OCSP
 * responders follow (a change applies within about a second, no restart). Per relying party
 * meters on {@code /q/metrics}; usage counts published to the usage topic for the daily report.
 */
@ApplicationScoped
public class CrlAccess {

    public enum Outcome {
        ALLOW, NO_CERTIFICATE, FORBIDDEN, RATE_LIMITED, REGISTRY_LOADING
    }

    /** Names refusals of callers who are no registered party are counted under. */
    static final String NO_CERTIFICATE = "anonymous";
    static final String UNREGISTERED = "unregistered";

    private final CrlConfig config;
    private final AuditTrail audit;
    private final MeterRegistry meterRegistry;
    private final Clock clock;
    private final Usage usage;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile RelyingPartyIndex registry = RelyingPartyIndex.EMPTY;
    private volatile boolean loaded;
    private RegistryFollower follower;
    private RelyingPartyMeters meters;
    private volatile UsagePublisher usagePublisher;

    public CrlAccess(CrlConfig config, AuditTrail audit, MeterRegistry meterRegistry, Clock clock) {
        this.clock = clock;
        this.usage = new Usage(clock);
        this.config = config;
        this.audit = audit;
        this.meterRegistry = meterRegistry;
    }

    void start(@Observes StartupEvent startup) {
        if (mode(CertificateType.SIGNATURE) == CrlAccessMode.OPEN && mode(CertificateType.AUTHENTICATION) == CrlAccessMode.OPEN) {
            return;
        }
        meters = new RelyingPartyMeters(meterRegistry, "inkan.crl.relying.party", "CRL downloads served per relying party",
                usage, List.of(NO_CERTIFICATE, UNREGISTERED));
        follower = new RegistryFollower(config.events().bootstrapServers(), config.access().registryTopic(),
                "crl-publisher-registry", Duration.ofMillis(500), this::registry, () -> loaded = true);
        follower.start();
        usagePublisher = new UsagePublisher(config.events().bootstrapServers(), config.access().usageTopic(), "crl-publisher",
                usage, config.access().usagePublishInterval());
        usagePublisher.start();
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (follower != null) {
            follower.stop();
        }
        if (usagePublisher != null) {
            usagePublisher.stop();
        }
    }

    void registry(Collection<RelyingParty> parties) {
        RelyingPartyIndex index = new RelyingPartyIndex(parties);
        registry = index;
        buckets.keySet().removeIf(id -> index.byId(id).map(p -> p.requestsPerSecond() == null).orElse(true));
        meters.parties(parties);
    }

    /** Publishes this replica's usage now (for the report command); false when every CA is open (nothing counted). */
    public boolean publishUsage() {
        UsagePublisher publisher = usagePublisher;
        if (publisher == null) {
            return false;
        }
        publisher.publish();
        return true;
    }

    public CrlAccessMode mode(CertificateType ca) {
        return ca == CertificateType.SIGNATURE ? config.access().signature() : config.access().authentication();
    }

    public Usage usage() {
        return usage;
    }

    /** Whether this download of {@code ca}'s CRL may be served to the caller of that TLS session. */
    public Outcome check(CertificateType ca, Optional<X509Certificate> clientCertificate) {
        RelyingParty party = clientCertificate.flatMap(this::party).orElse(null);
        if (mode(ca) == CrlAccessMode.OPEN) {
            if (party != null) {
                usage.query(party.id());
            }
            return Outcome.ALLOW;
        }
        if (!loaded) {
            return Outcome.REGISTRY_LOADING;
        }
        if (clientCertificate.isEmpty()) {
            usage.refusal(NO_CERTIFICATE);
            audit.refused(NO_CERTIFICATE, ca.name().toLowerCase(java.util.Locale.ROOT) + " CRL: no client certificate");
            return Outcome.NO_CERTIFICATE;
        }
        if (party == null || !party.active() || !party.entitledTo(ca)) {
            usage.refusal(party == null ? UNREGISTERED : party.id());
            audit.refused(party == null ? UNREGISTERED : party.id(), ca.name().toLowerCase(java.util.Locale.ROOT)
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
