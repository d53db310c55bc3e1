package jp.inkan.ocsp.http;

import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jp.inkan.ocsp.events.EventConsumer;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.responses.Responder;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.store.StatusStore;

/**
 * Read-only operator views on the management port (127.0.0.1 only, never the public one):
 * {@code /admin/store} (counters, offsets) and {@code /admin/store/<issuerKeyId>/<serial>} (one
 * certificate's stored status and, when tracking is on, the revisions applied since start).
 */
@ApplicationScoped
public class AdminRoutes {

    private final StatusStore store;
    private final EventConsumer consumer;
    private final Responder responder;
    private final CaDirectory directory;
    private final ResponderCredentials credentials;

    public AdminRoutes(StatusStore store, EventConsumer consumer, Responder responder, CaDirectory directory,
                       ResponderCredentials credentials) {
        this.store = store;
        this.consumer = consumer;
        this.responder = responder;
        this.directory = directory;
        this.credentials = credentials;
    }

    void routes(@Observes ManagementInterface management) {
        management.router().get("/admin/store").handler(this::stats);
        management.router().get("/admin/store/:issuer/:serial").handler(this::entry);
    }

    private void stats(RoutingContext ctx) {
        JsonObject body = new JsonObject()
                .put("certificates", store.size())
                .put("applied", store.applied())
                .put("stale", store.stale())
                .put("rejected", store.rejected())
                .put("consumed", consumer.consumed())
                .put("malformed", consumer.malformed())
                .put("caughtUp", consumer.caughtUp())
                .put("snapshotEntriesLoaded", consumer.snapshotEntriesLoaded())
                .put("startOffsets", offsets(consumer.startOffsets()))
                .put("endOffsetsAtStart", offsets(consumer.endOffsetsAtStart()))
                .put("positions", offsets(consumer.positions()))
                .put("signed", responder.signed())
                .put("cacheHits", responder.cacheHits())
                .put("responderCertificateRenewals", credentials.renewals());
        JsonArray served = new JsonArray();
        directory.served().forEach(issuer -> {
            JsonObject item = new JsonObject().put("label", issuer.label()).put("keyId", issuer.keyId());
            credentials.signerFor(issuer).ifPresent(c -> item
                    .put("responderSerial", c.certificate().getSerialNumber().toString(16))
                    .put("responderNotAfter", c.certificate().getNotAfter().toInstant().toString()));
            served.add(item);
        });
        body.put("served", served);
        store.duplicateApplies().ifPresent(d -> body.put("duplicateApplies", new JsonArray(d)));
        ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
    }

    private void entry(RoutingContext ctx) {
        String issuer = ctx.pathParam("issuer").toLowerCase(Locale.ROOT);
        BigInteger serial;
        try {
            serial = new BigInteger(ctx.pathParam("serial"), 16);
        } catch (NumberFormatException e) {
            ctx.response().setStatusCode(400).end();
            return;
        }
        JsonObject body = new JsonObject();
        store.find(issuer, serial).ifPresentOrElse(status -> body
                .put("state", status.state().name())
                .put("revision", status.revision())
                .put("revokedAt", status.revokedAt() == null ? null : status.revokedAt().toString())
                .put("reason", status.reason() == null ? null : status.reason().rfcName()),
                () -> body.put("state", "UNKNOWN"));
        store.appliedRevisions(issuer, serial).ifPresent(r -> body.put("appliedRevisions", new JsonArray(r)));
        ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
    }

    private static JsonObject offsets(Map<Integer, Long> offsets) {
        JsonObject json = new JsonObject();
        new TreeMap<>(offsets).forEach((partition, offset) -> json.put(Integer.toString(partition), offset));
        return json;
    }
}
