package jp.inkan.ocsp.responses;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.access.Caller;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.ocsp.crypto.OcspCodec;
import jp.inkan.ocsp.crypto.OcspMessages;
import jp.inkan.ocsp.crypto.OcspMessages.Answer;
import jp.inkan.ocsp.crypto.OcspMessages.CertId;
import jp.inkan.ocsp.crypto.OcspMessages.ErrorStatus;
import jp.inkan.ocsp.crypto.ResponseSigner;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.issuers.ServedIssuer;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.store.CertificateStatus;
import jp.inkan.ocsp.store.StatusSource;
import org.jboss.logging.Logger;

/**
 * Answers OCSP requests from the status store.
 *
 * <ul>
 * <li>Each CertID's issuer (name and key hash, SHA-1 or SHA-2) must be a served CA key generation,
 * and all CertIDs of one request the same one (one response has one signer, and a delegated
 * responder certificate speaks only for its issuer): otherwise {@code unauthorized}.</li>
 * <li>A serial the store has never seen for that issuer is {@code unknown}; a held certificate is
 * {@code revoked} with reason certificateHold.</li>
 * <li>Without a nonce, single-CertID answers are pre-signed and shared: the cached bytes are
 * served until {@code refresh-before} ahead of their nextUpdate, and re-signed as soon as the
 * certificate's revision in the store (or the responder certificate) differs from the one they were
 * signed with. With a nonce every answer is signed fresh.</li>
 * </ul>
 */
@ApplicationScoped
public class Responder {

    private static final Logger LOG = Logger.getLogger(Responder.class);

    /** A pre-signed answer and what it was made from. */
    private record Cached(Reply reply, long revision, ResponseSigner signer, Instant refreshAt) {
    }

    /** Which certificate an exact GET request asks about: a cache hit then needs no parsing at all. */
    private record KnownRequest(String cacheKey, ServedIssuer issuer, java.math.BigInteger serial) {
    }

    private final CaDirectory issuers;
    private final AccessControl access;
    private final StatusSource statuses;
    private final ResponderCredentials credentials;
    private final Clock clock;
    private final Duration validity;
    private final Duration refreshBefore;
    private final int cacheSize;
    private final int maxCertIds;
    private final int maxNonceLength;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, KnownRequest> knownRequests = new ConcurrentHashMap<>();
    private final AtomicLong signed = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    /** Shareable (single CertID, no nonce) requests that had to be signed: the cache's misses. */
    private final AtomicLong cacheMisses = new AtomicLong();

    @Inject
    public Responder(CaDirectory issuers, StatusSource statuses, ResponderCredentials credentials, Clock clock,
                     OcspConfig config, AccessControl access) {
        this(issuers, statuses, credentials, clock, config.responses().validity(), config.responses().refreshBefore(),
                config.responses().cacheSize(), config.requests().maxCertificates(), config.requests().maxNonceLength(),
                access);
    }

    /** Every CA open (unit tests of the answers themselves). */
    public Responder(CaDirectory issuers, StatusSource statuses, ResponderCredentials credentials, Clock clock,
                     Duration validity, Duration refreshBefore, int cacheSize, int maxCertIds, int maxNonceLength) {
        this(issuers, statuses, credentials, clock, validity, refreshBefore, cacheSize, maxCertIds, maxNonceLength,
                new AccessControl(java.util.Map.of(), clock));
    }

    public Responder(CaDirectory issuers, StatusSource statuses, ResponderCredentials credentials, Clock clock,
                     Duration validity, Duration refreshBefore, int cacheSize, int maxCertIds, int maxNonceLength,
                     AccessControl access) {
        if (refreshBefore.compareTo(validity) >= 0) {
            throw new IllegalArgumentException("refresh-before must be shorter than the response validity");
        }
        this.issuers = issuers;
        this.access = access;
        this.statuses = statuses;
        this.credentials = credentials;
        this.clock = clock;
        this.validity = validity;
        this.refreshBefore = refreshBefore;
        this.cacheSize = cacheSize;
        this.maxCertIds = maxCertIds;
        this.maxNonceLength = maxNonceLength;
    }

    public Reply answer(byte[] der) {
        return answer(der, null, Caller.ANONYMOUS);
    }

    /**
     * The pre-signed answer to a request seen before under {@code requestKey} (e.g. its GET path),
     * if it is still current: same status revision, same responder certificate, before its refresh
     * point, and the caller may see that CA. Never parses, signs or blocks, so it may run on the I/O
     * thread. Empty sends the request down {@link #answer(byte[], String, Caller)}, which decides.
     */
    public Optional<Reply> cachedAnswer(String requestKey, Caller caller) {
        KnownRequest known = knownRequests.get(requestKey);
        if (known == null) {
            return Optional.empty();
        }
        if (!access.allOpen() && !access.permitsCached(caller, known.issuer().ca())) {
            return Optional.empty();
        }
        Cached cached = cache.get(known.cacheKey());
        if (cached == null || !clock.instant().isBefore(cached.refreshAt())
                || cached.revision() != statuses.find(known.issuer().keyId(), known.serial())
                        .map(CertificateStatus::revision).orElse(0L)
                || credentials.signerFor(known.issuer()).orElse(null) != cached.signer()) {
            return Optional.empty();
        }
        cacheHits.incrementAndGet();
        return Optional.of(cached.reply());
    }

    /**
     * As {@link #answer(byte[])} for {@code caller}; a shareable answer is also remembered under
     * {@code requestKey} for {@link #cachedAnswer}. A caller the CA's access mode refuses gets
     * {@code unauthorized} before any status is looked up, whatever the serial.
     */
    public Reply answer(byte[] der, String requestKey, Caller caller) {
        OcspMessages.Parsed parsed = OcspCodec.parse(der, maxCertIds, maxNonceLength);
        if (parsed instanceof OcspMessages.Malformed malformed) {
            LOG.debugf("Malformed OCSP request: %s", malformed.reason());
            return error(ErrorStatus.MALFORMED_REQUEST);
        }
        OcspMessages.Request request = (OcspMessages.Request) parsed;
        ServedIssuer issuer = null;
        for (CertId id : request.certIds()) {
            Optional<ServedIssuer> match = issuers.issuerOf(id);
            if (match.isEmpty() || (issuer != null && !issuer.equals(match.get()))) {
                return error(ErrorStatus.UNAUTHORIZED);
            }
            issuer = match.get();
        }
        AccessControl.Decision decision = access.decide(caller, issuer.ca(), request);
        if (decision == AccessControl.Decision.UNAUTHORIZED) {
            return error(ErrorStatus.UNAUTHORIZED);
        }
        if (decision == AccessControl.Decision.RATE_LIMITED) {
            return error(ErrorStatus.TRY_LATER);
        }
        Optional<ResponderCredentials.Credential> credential = credentials.signerFor(issuer);
        if (credential.isEmpty()) {
            // Not ready for this generation yet (no responder certificate): the client may retry.
            return error(ErrorStatus.TRY_LATER);
        }
        ResponseSigner signer = credential.get();
        boolean shared = !request.hasNonce() && request.certIds().size() == 1;
        Instant now = clock.instant();
        List<Answer> answers = new ArrayList<>();
        long revision = 0;
        for (CertId id : request.certIds()) {
            Optional<CertificateStatus> status = statuses.find(issuer.keyId(), id.serial());
            revision = status.map(CertificateStatus::revision).orElse(0L);
            answers.add(answer(id, status));
        }
        String key = shared ? request.certIds().get(0).cacheKey() : null;
        if (shared && requestKey != null) {
            if (knownRequests.size() >= cacheSize) {
                evictSome(knownRequests);
            }
            knownRequests.put(requestKey, new KnownRequest(key, issuer, request.certIds().get(0).serial()));
        }
        if (shared) {
            Cached cached = cache.get(key);
            if (cached != null && cached.revision() == revision && cached.signer() == signer
                    && now.isBefore(cached.refreshAt())) {
                cacheHits.incrementAndGet();
                return cached.reply();
            }
        }
        if (shared) {
            cacheMisses.incrementAndGet();
        }
        Instant thisUpdate = Instant.ofEpochSecond(now.getEpochSecond());
        Instant nextUpdate = thisUpdate.plus(validity);
        byte[] body;
        try {
            body = OcspCodec.sign(signer, answers, request.nonce(), thisUpdate, nextUpdate, thisUpdate);
        } catch (RuntimeException e) {
            LOG.warnf(e, "Cannot sign an OCSP response");
            return error(ErrorStatus.TRY_LATER);
        }
        signed.incrementAndGet();
        Reply reply = new Reply(body, true, thisUpdate, nextUpdate, shared);
        if (shared) {
            if (cache.size() >= cacheSize) {
                evictSome(cache);
            }
            cache.put(key, new Cached(reply, revision, signer, nextUpdate.minus(refreshBefore)));
        }
        return reply;
    }

    private static Answer answer(CertId id, Optional<CertificateStatus> found) {
        if (found.isEmpty()) {
            return Answer.unknown(id);
        }
        CertificateStatus status = found.get();
        return switch (status.state()) {
            case VALID -> Answer.good(id);
            case ON_HOLD -> new Answer(id, OcspMessages.Status.REVOKED, status.revokedAt(),
                    jp.inkan.common.RevocationReason.CERTIFICATE_HOLD.code(), null);
            case REVOKED -> new Answer(id, OcspMessages.Status.REVOKED, status.revokedAt(),
                    status.reason() == null ? -1 : status.reason().code(), status.invalidityDate());
        };
    }

    private static Reply error(ErrorStatus status) {
        return new Reply(OcspCodec.error(status), false, null, null, false);
    }

    /** Drops about a tenth of the entries: a cheap bound, not an exact LRU. */
    private void evictSome(Map<String, ?> map) {
        int drop = Math.max(1, cacheSize / 10);
        Iterator<String> keys = map.keySet().iterator();
        while (drop-- > 0 && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }

    public long signed() {
        return signed.get();
    }

    public long cacheHits() {
        return cacheHits.get();
    }

    public long cacheMisses() {
        return cacheMisses.get();
    }

    public int cached() {
        return cache.size();
    }
}
