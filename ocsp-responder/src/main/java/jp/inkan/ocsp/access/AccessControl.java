package jp.inkan.ocsp.access;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSession;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.common.relyingparty.RelyingPartyIndex;
import jp.inkan.common.relyingparty.TokenBucket;
import jp.inkan.common.audit.RefusalTally;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.common.tls.PeerCertificate;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.ocsp.crypto.OcspCodec;
import jp.inkan.ocsp.crypto.OcspMessages;
import org.jboss.logging.Logger;

/**
 * Who may see which CA's status: the per-CA {@link AccessMode} and the relying-party registry (fed
 * by {@code events.RegistryConsumer}). Every refusal happens before the status store is read, and
 * looks the same whatever the serial, so an unauthorised caller learns nothing about certificates.
 */
@ApplicationScoped
public class AccessControl {

    private static final Logger LOG = Logger.getLogger(AccessControl.class);
    private static final String SESSION_CALLER = "inkan.relying-party";

    /** What the HTTPS listener decides before any OCSP parsing. */
    public enum Gate {
        PASS, NO_CERTIFICATE, FORBIDDEN, RATE_LIMITED
    }

    public enum Decision {
        ALLOW, UNAUTHORIZED, RATE_LIMITED
    }

    private final Map<CertificateType, AccessMode> modes;
    private final boolean allOpen;
    private final Clock clock;
    private final Usage usage;
    private final RefusalTally refusals;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile RelyingPartyIndex registry = RelyingPartyIndex.EMPTY;
    private volatile boolean registryLoaded;

    @Inject
    public AccessControl(OcspConfig config, Clock clock) {
        this(Map.of(CertificateType.SIGNATURE, config.access().signature(),
                CertificateType.AUTHENTICATION, config.access().authentication()), clock);
    }

    public AccessControl(Map<CertificateType, AccessMode> modes, Clock clock) {
        this.modes = new EnumMap<>(CertificateType.class);
        this.modes.putAll(modes);
        this.allOpen = this.modes.values().stream().allMatch(m -> m == AccessMode.OPEN);
        this.clock = clock;
        this.usage = new Usage(clock);
        this.refusals = new RefusalTally(clock);
    }

    /** Refusals and rate limiting per caller since the audit trail last drained them. */
    public RefusalTally refusals() {
        return refusals;
    }

    public AccessMode mode(CertificateType ca) {
        return modes.getOrDefault(ca, AccessMode.OPEN);
    }

    /** Today's behaviour: nobody is checked, nothing is counted. */
    public boolean allOpen() {
        return allOpen;
    }

    /** Installs a new version of the registry (the consumer calls this after each batch). */
    public void registry(Collection<RelyingParty> parties) {
        RelyingPartyIndex index = new RelyingPartyIndex(parties);
        registry = index;
        // A changed rate takes effect at once; a removed party's bucket goes away.
        buckets.entrySet().removeIf(e -> index.byId(e.getKey())
                .map(p -> p.requestsPerSecond() == null || p.requestsPerSecond() != e.getValue().rate()).orElse(true));
    }

    public void registryLoaded() {
        registryLoaded = true;
    }

    /** Whether the registry has been read up to where it was at start (readiness). */
    public boolean ready() {
        return registryLoaded || allOpen;
    }

    public RelyingPartyIndex registry() {
        return registry;
    }

    public Usage usage() {
        return usage;
    }

    /** The caller behind a TLS client certificate (or {@link Caller#ANONYMOUS} without one). */
    public Caller identify(Optional<X509Certificate> clientCertificate) {
        return identify(clientCertificate, registry);
    }

    private static Caller identify(Optional<X509Certificate> clientCertificate, RelyingPartyIndex index) {
        if (clientCertificate.isEmpty()) {
            return Caller.ANONYMOUS;
        }
        String fingerprint;
        try {
            fingerprint = RelyingParty.fingerprint(clientCertificate.get().getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            return new Caller(null, "undecodable");
        }
        return new Caller(index.byClientCertificate(fingerprint).orElse(null), fingerprint);
    }

    /** A TLS session's caller as of one registry version. */
    private record Identified(Caller caller, RelyingPartyIndex registry) {
    }

    /**
     * The caller of a TLS session, remembered in the session: keep-alive requests (and resumed
     * sessions, which carry the same verified certificate) skip reading and hashing the client
     * certificate. The registry version is checked on every request, so a suspension or any other
     * change applies to open connections as soon as it is installed (a re-lookup by the remembered
     * fingerprint, no re-hash).
     */
    public Caller identify(SSLSession session) {
        RelyingPartyIndex index = registry;
        if (session == null) {
            return Caller.ANONYMOUS;
        }
        Caller caller;
        if (session.getValue(SESSION_CALLER) instanceof Identified known) {
            if (known.registry() == index) {
                return known.caller();
            }
            Caller before = known.caller();
            caller = before.fingerprint() == null || before.fingerprint().equals("undecodable") ? before
                    : new Caller(index.byClientCertificate(before.fingerprint()).orElse(null), before.fingerprint());
        } else {
            caller = identify(PeerCertificate.of(session), index);
        }
        session.putValue(SESSION_CALLER, new Identified(caller, index));
        return caller;
    }

    /**
     * The HTTPS listener is the relying parties' door: no client certificate is 401, a certificate
     * of no active party 403, a party over its rate 429, all before the request is read.
     */
    public Gate gate(Caller caller) {
        if (!caller.presentedCertificate()) {
            usage.refusal(caller.accountingName());
            refusals.refused(caller.accountingName(), "HTTPS without a client certificate");
            return Gate.NO_CERTIFICATE;
        }
        RelyingParty party = caller.party();
        if (party == null || !party.active()) {
            usage.refusal(caller.accountingName());
            refusals.refused(caller.accountingName(), party == null ? "client certificate of no relying party"
                    : "relying party suspended");
            LOG.debugf("Refused client certificate %s (%s)", caller.fingerprint(),
                    party == null ? "not registered" : "suspended");
            return Gate.FORBIDDEN;
        }
        if (!takeToken(party)) {
            usage.rateLimited(party.id());
            refusals.refused(party.id(), "over its request rate");
            return Gate.RATE_LIMITED;
        }
        return Gate.PASS;
    }

    /**
     * For a pre-signed answer on the I/O thread: true when the TLS caller may see this CA (counted
     * as a query); false sends the request down the full path, which decides and counts.
     */
    public boolean permitsCached(Caller caller, CertificateType ca) {
        AccessMode mode = mode(ca);
        RelyingParty party = caller.party();
        if (mode == AccessMode.OPEN) {
            if (party != null) {
                usage.query(party.id());
            }
            return true;
        }
        if (mode == AccessMode.MTLS && party != null && party.active() && party.entitledTo(ca)) {
            usage.query(party.id());
            return true;
        }
        return false;
    }

    /** The decision for a parsed request about {@code ca}; taken before any status is looked up. */
    public Decision decide(Caller caller, CertificateType ca, OcspMessages.Request request) {
        RelyingParty tlsParty = caller.party();
        switch (mode(ca)) {
            case OPEN -> {
                if (tlsParty != null) {
                    usage.query(tlsParty.id());
                }
                return Decision.ALLOW;
            }
            case MTLS -> {
                if (tlsParty == null || !tlsParty.active() || !tlsParty.entitledTo(ca)) {
                    return refuse(caller.accountingName(), ca);
                }
                usage.query(tlsParty.id());
                return Decision.ALLOW;
            }
            case SIGNED_REQUEST -> {
                if (request.signature() == null || !request.hasNonce()) {
                    return refuse(caller.accountingName(), ca);
                }
                Optional<RelyingParty> signer = signer(request.signature());
                if (signer.isEmpty()) {
                    return refuse(tlsParty != null ? tlsParty.id() : Caller.UNREGISTERED_SIGNER, ca);
                }
                RelyingParty party = signer.get();
                if (!party.active() || !party.entitledTo(ca)) {
                    return refuse(party.id(), ca);
                }
                // A party that came through the HTTPS door already paid its token there.
                if ((tlsParty == null || !tlsParty.id().equals(party.id())) && !takeToken(party)) {
                    usage.rateLimited(party.id());
                    refusals.refused(party.id(), "over its request rate");
                    return Decision.RATE_LIMITED;
                }
                usage.query(party.id());
                return Decision.ALLOW;
            }
            default -> throw new IllegalStateException();
        }
    }

    private Decision refuse(String caller, CertificateType ca) {
        usage.refusal(caller);
        refusals.refused(caller, "not authorized for the " + ca.name().toLowerCase(java.util.Locale.ROOT) + " CA ("
                + mode(ca).name().toLowerCase(java.util.Locale.ROOT) + ")");
        LOG.debugf("Refused %s for the %s CA", caller, ca);
        return Decision.UNAUTHORIZED;
    }

    /** The registered party whose signer certificate (valid now) verifies the request's signature. */
    private Optional<RelyingParty> signer(OcspMessages.RequestSignature signature) {
        RelyingPartyIndex index = registry;
        java.util.Date now = java.util.Date.from(clock.instant());
        for (byte[] der : signature.certificates()) {
            Optional<RelyingPartyIndex.Signer> registered = index.signerByFingerprint(RelyingParty.fingerprint(der));
            if (registered.isPresent() && verifies(signature, registered.get().certificate(), now)) {
                return Optional.of(registered.get().party());
            }
        }
        if (signature.requestorName() != null) {
            for (RelyingPartyIndex.Signer candidate : index.signersNamed(signature.requestorName())) {
                if (verifies(signature, candidate.certificate(), now)) {
                    return Optional.of(candidate.party());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean verifies(OcspMessages.RequestSignature signature, X509Certificate certificate, java.util.Date now) {
        try {
            certificate.checkValidity(now);
        } catch (java.security.cert.CertificateException e) {
            return false;
        }
        return OcspCodec.signatureValid(signature, certificate);
    }

    private boolean takeToken(RelyingParty party) {
        Integer rate = party.requestsPerSecond();
        if (rate == null) {
            return true;
        }
        TokenBucket bucket = buckets.get(party.id());
        if (bucket == null || bucket.rate() != rate) {
            bucket = buckets.compute(party.id(), (id, b) -> b != null && b.rate() == rate ? b
                    : new TokenBucket(rate, clock.millis()));
        }
        return bucket.tryTake(clock.millis());
    }
}
