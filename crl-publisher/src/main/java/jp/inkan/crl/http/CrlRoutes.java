package jp.inkan.crl.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import jp.inkan.common.CertificateType;
import jp.inkan.common.problem.Problem;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.common.tls.PeerCertificate;
import jp.inkan.crl.config.CrlConfig;
import jp.inkan.crl.audit.AuditLog;
import jp.inkan.crl.audit.AuditTrail;
import jp.inkan.crl.publish.Publisher;
import jp.inkan.crl.store.CrlStore;

/**
 * Serves the published CRLs over plain HTTP at the URIs the certificates carry, as DER
 * {@code application/pkix-crl}, with caching headers from the CRL itself: Last-Modified is
 * thisUpdate, Expires nextUpdate, the ETag the tail of the signature (the same CRL has the same tag on
 * every replica). On the management port: {@code POST /crl/publish} for operators (audited),
 * {@code GET /admin/relying-parties/usage?day=} (this process's counts of a day),
 * {@code POST /admin/relying-parties/usage/publish} (to the usage topic now, for the daily report)
 * and {@code GET /admin/audit/verification} for the audit chain's check.
 *
 * <p>A CA in {@code mtls} mode ({@link CrlAccess}) is served only on the HTTPS listener to an active
 * relying party entitled to it: no client certificate is 401, any other certificate 403, a party
 * over its rate 429 — before the file is looked at, so a refusal says nothing about which CRLs exist.
 */
@ApplicationScoped
public class CrlRoutes {

    private static final Pattern PATH = Pattern.compile("/crl/(signature|authentication)/g\\d{2,3}/[0-9a-z*-]+\\.crl");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** What the headers need, read once per file version (inode, size, mtime). */
    record Meta(Object fileKey, long size, long modified, Instant thisUpdate, Instant nextUpdate, String etag) {
    }

    private final CrlConfig config;
    private final Publisher publisher;
    private final ObjectMapper json;
    private final CrlAccess access;
    private final Clock clock;
    private final Map<Path, Meta> meta = new ConcurrentHashMap<>();

    private final AuditLog audit;
    private final AuditTrail auditTrail;

    public CrlRoutes(CrlConfig config, Publisher publisher, ObjectMapper json, CrlAccess access, AuditLog audit,
                     AuditTrail auditTrail, Clock clock) {
        this.clock = clock;
        this.audit = audit;
        this.auditTrail = auditTrail;
        this.access = access;
        this.config = config;
        this.publisher = publisher;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.route("/crl/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::serve);
    }

    void management(@Observes ManagementInterface management) {
        management.router().post("/crl/publish").blockingHandler(this::trigger, false);
        management.router().get("/admin/relying-parties/usage").handler(this::usage);
        management.router().get("/admin/audit/verification").blockingHandler(this::verifyAudit, false);
        management.router().post("/admin/relying-parties/usage/publish").blockingHandler(this::publishUsage, false);
    }

    /** Re-computes the audit chain and checks it against its anchors in ca-service; lists each break. */
    private void verifyAudit(RoutingContext ctx) {
        try {
            ctx.response().putHeader("Content-Type", "application/json").end(json.writeValueAsString(auditTrail.verify()));
        } catch (IOException | RuntimeException e) {
            ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain").end(e.getMessage() + "\n");
        }
    }

    /** This replica's usage to the usage topic now, so the report taken next includes the last seconds. */
    private void publishUsage(RoutingContext ctx) {
        try {
            ctx.response().setStatusCode(access.publishUsage() ? 204 : 404).end();
        } catch (RuntimeException e) {
            ctx.response().setStatusCode(503).end();
        }
    }

    /** One day's downloads and refusals per caller (Japan time; default today), for the daily report. */
    private void usage(RoutingContext ctx) {
        java.time.LocalDate day;
        try {
            String asked = ctx.request().getParam("day");
            day = asked == null ? java.time.LocalDate.now(Usage.JAPAN) : java.time.LocalDate.parse(asked);
        } catch (java.time.format.DateTimeParseException e) {
            ctx.response().setStatusCode(400).end();
            return;
        }
        Map<String, Object> callers = new java.util.TreeMap<>();
        access.usage().day(day).forEach((caller, c) -> callers.put(caller,
                Map.of("queries", c.queries(), "refusals", c.refusals(), "rateLimited", c.rateLimited())));
        try {
            ctx.response().putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(Map.of("day", day.toString(), "callers", callers)));
        } catch (IOException e) {
            ctx.fail(e);
        }
    }

    /** The CA's access mode, before any file is touched: 401/403/429 as problem+json. */
    private boolean admitted(RoutingContext ctx, CertificateType ca) {
        java.util.Optional<java.security.cert.X509Certificate> client = ctx.request().isSSL()
                ? PeerCertificate.of(ctx.request().sslSession()) : java.util.Optional.empty();
        return switch (access.check(ca, client)) {
            case ALLOW -> true;
            case NO_CERTIFICATE -> refuse(ctx, 401, "client-certificate-required", "Client certificate required",
                    "These CRLs are for registered relying parties: use HTTPS with your client certificate.");
            case FORBIDDEN -> refuse(ctx, 403, "relying-party-refused", "Not entitled",
                    "This client certificate belongs to no active relying party entitled to this CA.");
            case RATE_LIMITED -> {
                ctx.response().putHeader("Retry-After", "1");
                yield refuse(ctx, 429, "rate-limited", "Too many requests", "Over the request rate of this relying party.");
            }
            case REGISTRY_LOADING -> {
                ctx.response().putHeader("Retry-After", "5");
                yield refuse(ctx, 503, "registry-loading", "Not ready", "The relying-party registry is still loading.");
            }
        };
    }

    private boolean refuse(RoutingContext ctx, int status, String slug, String title, String detail) {
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .end(json.writeValueAsString(Problem.of(slug, title, status, detail)));
        } catch (IOException e) {
            ctx.response().setStatusCode(status).end();
        }
        return false;
    }

    private void serve(RoutingContext ctx) {
        String path = ctx.request().path();
        java.util.regex.Matcher matcher = PATH.matcher(path);
        if (!matcher.matches()) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        if (!admitted(ctx, CertificateType.valueOf(matcher.group(1).toUpperCase(Locale.ROOT)))) {
            return;
        }
        Path file = config.outputDir().resolve(path.substring(1)).normalize();
        if (!file.startsWith(config.outputDir().normalize())) {
            ctx.response().setStatusCode(404).end();
            return;
        }
        ctx.vertx().executeBlocking(() -> meta(file), false).onComplete(result -> {
            if (result.failed()) {
                ctx.response().setStatusCode(result.cause() instanceof NoSuchFileException ? 404 : 500).end();
                return;
            }
            Meta m = result.result();
            long maxAge = Math.max(0, m.nextUpdate().getEpochSecond() - clock.instant().getEpochSecond());
            var response = ctx.response()
                    .putHeader("Content-Type", "application/pkix-crl")
                    .putHeader("ETag", m.etag())
                    .putHeader("Last-Modified", HTTP_DATE.format(m.thisUpdate()))
                    .putHeader("Expires", HTTP_DATE.format(m.nextUpdate()))
                    .putHeader("Cache-Control", "public, max-age=" + maxAge + ", no-transform");
            String ifNoneMatch = ctx.request().getHeader("If-None-Match");
            if (ifNoneMatch != null && (ifNoneMatch.trim().equals("*")
                    || List.of(ifNoneMatch.split(",")).stream().map(String::trim).anyMatch(m.etag()::equals))) {
                response.setStatusCode(304).end();
                return;
            }
            if (ctx.request().method() == HttpMethod.HEAD) {
                response.putHeader("Content-Length", Long.toString(m.size())).end();
                return;
            }
            response.sendFile(file.toString());
        });
    }

    Meta meta(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Meta cached = meta.get(file);
        if (cached != null && cached.size() == attributes.size() && cached.modified() == attributes.lastModifiedTime().toMillis()
                && java.util.Objects.equals(cached.fileKey(), attributes.fileKey())) {
            return cached;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
            channel.read(head, 0);
            ByteBuffer tail = ByteBuffer.allocate(16);
            channel.read(tail, channel.size() - 16);
            Instant[] times = CrlHeader.times(head.array());
            Meta m = new Meta(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime().toMillis(), times[0],
                    times[1], "\"" + HexFormat.of().formatHex(tail.array()) + "\"");
            meta.put(file, m);
            return m;
        }
    }

    /** {@code POST /crl/publish?kind=complete|delta[&ca=signature|authentication][&generation=N]}: publish now. */
    private void trigger(RoutingContext ctx) {
        try {
            String kindParam = ctx.request().getParam("kind", "complete");
            CrlStore.Kind kind = CrlStore.Kind.valueOf(kindParam.toUpperCase(Locale.ROOT));
            String caParam = ctx.request().getParam("ca");
            CertificateType ca = caParam == null ? null : CertificateType.valueOf(caParam.toUpperCase(Locale.ROOT));
            String generationParam = ctx.request().getParam("generation");
            Integer generation = generationParam == null ? null : Integer.valueOf(generationParam);
            // The management port authenticates no one: the operator's name is as claimed (Inkan-Operator).
            String operator = ctx.request().getHeader("Inkan-Operator");
            audit.record("operator " + (operator == null ? "(unnamed)" : operator.replaceAll("[^\\p{L}\\p{N} ._@-]", "?"))
                    + " from " + ctx.request().remoteAddress(), "crl.publication.requested",
                    (ca == null ? "all CAs" : ca.name().toLowerCase(Locale.ROOT)) + (generation == null ? "" : " g" + generation),
                    kind.name().toLowerCase(Locale.ROOT) + " CRLs, now");
            publisher.refresh();
            List<Publisher.Published> published = publisher.publishAll(kind, true, ca, generation);
            ctx.response().putHeader("Content-Type", "application/json").end(json.writeValueAsString(published));
        } catch (IllegalArgumentException e) {
            ctx.response().setStatusCode(400).putHeader("Content-Type", "text/plain").end(e.getMessage() + "\n");
        } catch (Exception e) {
            ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain").end(e.toString() + "\n");
        }
    }
}
