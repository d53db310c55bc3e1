package jp.inkan.ocsp.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.vertx.core.json.Json;
import jp.inkan.common.problem.Problem;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.access.Caller;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.ocsp.crypto.OcspCodec;
import jp.inkan.ocsp.crypto.OcspMessages;
import jp.inkan.ocsp.responses.Reply;
import jp.inkan.ocsp.responses.Responder;
import org.jboss.logging.Logger;

/**
 * The OCSP endpoints on plain Vert.x routes (the GET path carries raw base64, which JAX-RS path
 * matching would decode and split).
 *
 * <ul>
 * <li>{@code POST /ocsp} (also {@code /ocsp/}): body = DER OCSPRequest. A body over
 * {@code inkan.ocsp.requests.max-body-bytes} is refused with HTTP 413 before it is parsed.</li>
 * <li>{@code GET /ocsp/<base64>}: RFC 5019 §5 / RFC 6960 appendix A.1; a request longer than the
 * same limit is refused with 413 too.</li>
 * <li>Anything undecodable is an unsigned malformedRequest OCSPResponse with HTTP 200, as RFC 5019
 * clients expect.</li>
 * </ul>
 * Answers run on worker threads (signing may wait for the token); the event consumer has its own thread.
 *
 * <p>Unless every CA is {@code open}, the HTTPS listener is a door for relying parties only: no
 * client certificate is 401, one of no active registered party 403, a party over its rate 429,
 * before the request is read; then the CA's access mode decides ({@link AccessControl}). Requests on
 * the plain listener are anonymous.
 */
@ApplicationScoped
public class OcspRoutes {

    private static final Logger LOG = Logger.getLogger(OcspRoutes.class);
    static final String RESPONSE_TYPE = "application/ocsp-response";
    private static final String PREFIX = "/ocsp/";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    /** Routing-context key of the request's start (nanoTime), for the paths that leave the I/O thread. */
    private static final String STARTED = "inkan.started";
    /** OCSPResponseStatus names by value (RFC 6960 §4.2.1); 4 is unused. */
    private static final String[] STATUS = {"successful", "malformed-request", "internal-error", "try-later", "unused",
            "sig-required", "unauthorized"};

    private static final String CALLER = "inkan.caller";

    private final Responder responder;
    private final AccessControl access;
    private final Clock clock;
    private final int maxBodyBytes;
    /**
     * inkan_ocsp_responses_seconds{method, status}, made once: recording is a few adders, a max and one
     * of five buckets, with no lookup and no allocation per request (the cached answer is served on
     * the I/O thread).
     */
    private final Timer[][] timers = new Timer[2][STATUS.length];

    public OcspRoutes(Responder responder, AccessControl access, Clock clock, OcspConfig config, MeterRegistry meters) {
        this.responder = responder;
        this.access = access;
        this.clock = clock;
        this.maxBodyBytes = config.requests().maxBodyBytes();
        for (int method = 0; method < 2; method++) {
            for (int status = 0; status < STATUS.length; status++) {
                timers[method][status] = Timer.builder("inkan.ocsp.responses")
                        .description("OCSP answers by HTTP method and OCSPResponseStatus, from routing to the last byte queued")
                        .tags("method", method == 0 ? "get" : "post", "status", STATUS[status])
                        .serviceLevelObjectives(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(5),
                                java.time.Duration.ofMillis(25), java.time.Duration.ofMillis(100),
                                java.time.Duration.ofMillis(500))
                        .register(meters);
            }
        }
    }

    void routes(@Observes Router router) {
        // The relying parties' gate runs inside the first handler of each path: a separate route
        // with a regex capture group made Vert.x URL-decode every GET's long base64 path as a path
        // parameter (a tenth of an mtls answer's cost in the responder's profile).
        router.route(HttpMethod.POST, "/ocsp").handler(this::startPost);
        router.route(HttpMethod.POST, "/ocsp/").handler(this::startPost);
        router.route(HttpMethod.POST, "/ocsp").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
        router.route(HttpMethod.POST, "/ocsp/").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes));
        router.route(HttpMethod.POST, "/ocsp").blockingHandler(this::post, false);
        router.route(HttpMethod.POST, "/ocsp/").blockingHandler(this::post, false);
        // A repeated GET whose pre-signed answer is current is served on the I/O thread; only the
        // rest (first sight, re-signing, errors) goes to a worker.
        router.routeWithRegex(HttpMethod.GET, "/ocsp/.*").handler(this::cached);
        router.routeWithRegex(HttpMethod.GET, "/ocsp/.*").blockingHandler(this::get, false);
        router.route(HttpMethod.GET, "/ocsp").handler(ctx -> {
            if (admitted(ctx) != null) {
                send(ctx, malformed(), false);
            }
        });
    }

    private void startPost(RoutingContext ctx) {
        ctx.put(STARTED, System.nanoTime());
        Caller caller = admitted(ctx);
        if (caller != null) {
            handOn(ctx, caller);
        }
    }

    /** The I/O-thread fast path: a current pre-signed answer, else on to a worker. */
    private void cached(RoutingContext ctx) {
        long started = System.nanoTime();
        Caller caller = admitted(ctx);
        if (caller == null) {
            return;
        }
        Optional<Reply> reply = responder.cachedAnswer(ctx.request().path(), caller);
        if (reply.isPresent()) {
            send(ctx, reply.get(), true, started);
        } else {
            ctx.put(STARTED, started);
            handOn(ctx, caller);
        }
    }

    /** On to the next handler (body, worker), which reads the caller from the context. */
    private static void handOn(RoutingContext ctx, Caller caller) {
        if (caller != Caller.ANONYMOUS) {
            ctx.put(CALLER, caller);
        }
        ctx.next();
    }

    /**
     * The gate, on the I/O thread before the body is read: the caller to go on with
     * ({@link Caller#ANONYMOUS} off TLS or with every CA open), or null when the refusal has been
     * sent. Not kept in the routing context on the cached path: that map costs an allocation per answer.
     */
    private Caller admitted(RoutingContext ctx) {
        if (access.allOpen() || !ctx.request().isSSL()) {
            return Caller.ANONYMOUS;
        }
        Caller caller = access.identify(ctx.request().sslSession());
        switch (access.gate(caller)) {
            case PASS -> {
                return caller;
            }
            case NO_CERTIFICATE -> refuse(ctx, 401, "client-certificate-required",
                    "Client certificate required", "Present the TLS client certificate registered for your relying party.");
            case FORBIDDEN -> refuse(ctx, 403, "relying-party-refused", "Not an active relying party",
                    "This client certificate belongs to no active registered relying party.");
            case RATE_LIMITED -> {
                ctx.response().putHeader("Retry-After", "1");
                refuse(ctx, 429, "rate-limited", "Too many requests", "Over the request rate of this relying party.");
            }
        }
        return null;
    }

    private static void refuse(RoutingContext ctx, int status, String slug, String title, String detail) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .end(Json.encode(Problem.of(slug, title, status, detail)));
    }

    private static Caller caller(RoutingContext ctx) {
        Caller caller = ctx.get(CALLER);
        return caller == null ? Caller.ANONYMOUS : caller;
    }

    private void post(RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        byte[] der = body == null ? new byte[0] : body.getBytes();
        send(ctx, answer(der, null, caller(ctx)), false);
    }

    private void get(RoutingContext ctx) {
        String path = ctx.request().path();
        // base64 takes 4 characters per 3 bytes; percent-encoding may triple a few of them.
        if (path.length() > PREFIX.length() + maxBodyBytes * 2) {
            ctx.response().setStatusCode(413).end();
            return;
        }
        Optional<byte[]> der = GetRequests.decode(path, PREFIX);
        if (der.isPresent() && der.get().length > maxBodyBytes) {
            ctx.response().setStatusCode(413).end();
            return;
        }
        Caller caller = caller(ctx);
        send(ctx, der.map(d -> answer(d, path, caller)).orElseGet(OcspRoutes::malformed), true);
    }

    private Reply answer(byte[] der, String requestKey, Caller caller) {
        try {
            return responder.answer(der, requestKey, caller);
        } catch (RuntimeException e) {
            // Never a stack trace to the client: an unsigned internalError, details in our log.
            LOG.errorf(e, "OCSP request failed");
            return new Reply(OcspCodec.error(OcspMessages.ErrorStatus.INTERNAL_ERROR), false, null, null, false);
        }
    }

    private static Reply malformed() {
        return new Reply(OcspCodec.error(OcspMessages.ErrorStatus.MALFORMED_REQUEST), false, null, null, false);
    }

    private void send(RoutingContext ctx, Reply reply, boolean get) {
        Long started = ctx.get(STARTED);
        send(ctx, reply, get, started == null ? System.nanoTime() : started);
    }

    /** RFC 5019 §6.2 headers on cacheable GET answers; everything else must not be cached. */
    private void send(RoutingContext ctx, Reply reply, boolean get, long started) {
        HttpServerResponse response = ctx.response();
        response.putHeader("Content-Type", RESPONSE_TYPE);
        if (get && reply.cacheable()) {
            Instant now = clock.instant();
            long maxAge = Math.max(0, Duration.between(now, reply.nextUpdate()).getSeconds());
            response.putHeader("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate");
            response.putHeader("Last-Modified", HTTP_DATE.format(reply.thisUpdate()));
            response.putHeader("Expires", HTTP_DATE.format(reply.nextUpdate()));
            response.putHeader("ETag", reply.etag());
            response.putHeader("Date", HTTP_DATE.format(now));
        } else {
            response.putHeader("Cache-Control", "no-cache, no-store");
        }
        response.setStatusCode(200).end(Buffer.buffer(reply.body()));
        int status = reply.responseStatus();
        timers[ctx.request().method() == HttpMethod.GET ? 0 : 1][status >= 0 && status < STATUS.length ? status : 2]
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
