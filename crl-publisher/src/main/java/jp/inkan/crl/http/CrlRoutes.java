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
import jp.inkan.crl.config.CrlConfig;
import jp.inkan.crl.publish.Publisher;
import jp.inkan.crl.store.CrlStore;

/**
 * Serves the published CRLs over plain HTTP at the URIs the certificates carry, as DER
 * {@code application/pkix-crl}, with caching headers from the CRL itself: Last-Modified is
 * thisUpdate, Expires nextUpdate, the ETag the tail of the signature (the same CRL has the same tag on
 * every replica). On the management port: {@code POST /crl/publish} for operators.
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
    private final Clock clock = Clock.systemUTC();
    private final Map<Path, Meta> meta = new ConcurrentHashMap<>();

    public CrlRoutes(CrlConfig config, Publisher publisher, ObjectMapper json) {
        this.config = config;
        this.publisher = publisher;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.route("/crl/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::serve);
    }

    void management(@Observes ManagementInterface management) {
        management.router().post("/crl/publish").blockingHandler(this::trigger, false);
    }

    private void serve(RoutingContext ctx) {
        String path = ctx.request().path();
        if (!PATH.matcher(path).matches()) {
            ctx.response().setStatusCode(404).end();
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
