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
import java.time.Clock;
import java.time.LocalDate;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.ocsp.access.AccessControl;
import jp.inkan.ocsp.audit.AuditTrail;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.ocsp.events.EventConsumer;
import jp.inkan.ocsp.events.RegistryConsumer;
import jp.inkan.ocsp.issuers.CaDirectory;
import jp.inkan.ocsp.responses.Responder;
import jp.inkan.ocsp.signing.ResponderCredentials;
import jp.inkan.ocsp.store.StatusStore;

/**
 * Read-only operator views on the management port (127.0.0.1 only, never the public one):
 * {@code /admin/store} (counters, offsets) and {@code /admin/store/<issuerKeyId>/<serial>} (one
 * certificate's stored status and, when tracking is on, the revisions applied since start),
 * {@code /admin/relying-parties} (access modes, the registry as applied here, counts per caller),
 * {@code /admin/relying-parties/usage?day=} (one day's counts, this process),
 * {@code POST /admin/relying-parties/usage/publish} (this replica's counts to the usage topic now) and
 * {@code /admin/audit/verification} (the audit file's check). The per relying party meters are on
 * {@code /q/metrics} with the others.
 */
@ApplicationScoped
public class AdminRoutes {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AdminRoutes.class);

    private final StatusStore store;
    private final EventConsumer consumer;
    private final Responder responder;
    private final CaDirectory directory;
    private final ResponderCredentials credentials;
    private final AccessControl access;
    private final Clock clock;
    private final AuditTrail audit;
    private final RegistryConsumer registryConsumer;

    public AdminRoutes(StatusStore store, EventConsumer consumer, Responder responder, CaDirectory directory,
                       ResponderCredentials credentials, AccessControl access, Clock clock, AuditTrail audit,
                       RegistryConsumer registryConsumer) {
        this.audit = audit;
        this.registryConsumer = registryConsumer;
        this.access = access;
        this.clock = clock;
        this.store = store;
        this.consumer = consumer;
        this.responder = responder;
        this.directory = directory;
        this.credentials = credentials;
    }

    void routes(@Observes ManagementInterface management) {
        management.router().get("/admin/store").handler(this::stats);
        management.router().get("/admin/store/:issuer/:serial").handler(this::entry);
        management.router().get("/admin/relying-parties").handler(this::relyingParties);
        management.router().get("/admin/relying-parties/usage").handler(this::usage);
        management.router().post("/admin/relying-parties/usage/publish").blockingHandler(this::publishUsage, false);
        management.router().get("/admin/audit/verification").blockingHandler(this::verifyAudit, false);
    }

    /** The audit file re-read and checked against its anchors in ca-service; each break with entry and line. */
    private void verifyAudit(RoutingContext ctx) {
        try {
            ctx.response().putHeader("Content-Type", "application/json")
                    .end(io.vertx.core.json.Json.encode(audit.verify()));
        } catch (RuntimeException e) {
            ctx.response().setStatusCode(503).putHeader("Content-Type", "text/plain").end(e.getMessage() + "\n");
        }
    }

    /** The registry as this replica applies it, with each caller's counts since start. */
    private void relyingParties(RoutingContext ctx) {
        JsonObject modes = new JsonObject();
        for (CertificateType ca : CertificateType.values()) {
            modes.put(ca.name().toLowerCase(Locale.ROOT), access.mode(ca).name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        JsonArray parties = new JsonArray();
        access.registry().all().stream().sorted(java.util.Comparator.comparing(RelyingParty::id)).forEach(p -> parties.add(
                new JsonObject().put("id", p.id()).put("name", p.name()).put("kind", p.kind().name())
                        .put("state", p.state().name()).put("revision", p.revision())
                        .put("entitledCas", new JsonArray(p.entitledCas().stream().map(Enum::name).sorted().toList()))
                        .put("requestsPerSecond", p.requestsPerSecond())));
        ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("accessModes", modes)
                .put("registryLoaded", access.ready()).put("relyingParties", parties)
                .put("callers", counts(access.usage().totals())).encode());
    }

    /** One day's counts per caller (Japan time; default today): what the daily report sums over replicas. */
    private void usage(RoutingContext ctx) {
        LocalDate day;
        try {
            String asked = ctx.request().getParam("day");
            day = asked == null ? LocalDate.now(clock.withZone(Usage.JAPAN)) : LocalDate.parse(asked);
        } catch (java.time.format.DateTimeParseException e) {
            ctx.response().setStatusCode(400).end();
            return;
        }
        ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("day", day.toString())
                .put("callers", counts(access.usage().day(day))).encode());
    }

    /** Publishes this replica's usage to the usage topic now, so a report taken next includes the last seconds. */
    private void publishUsage(RoutingContext ctx) {
        try {
            ctx.response().setStatusCode(registryConsumer.publishUsage() ? 204 : 404).end();
        } catch (RuntimeException e) {
            LOG.warnf("Usage not published on request: %s", e.toString());
            ctx.response().setStatusCode(503).end();
        }
    }

    private static JsonObject counts(Map<String, Usage.Counts> counts) {
        JsonObject json = new JsonObject();
        counts.forEach((caller, c) -> json.put(caller, new JsonObject().put("queries", c.queries())
                .put("refusals", c.refusals()).put("rateLimited", c.rateLimited())));
        return json;
    }

    private void stats(RoutingContext ctx) {
        JsonObject body = new JsonObject()
                .put("certificates", store.size())
                .put("applied", store.applied())
                .put("stale", store.stale())
                .put("rejected", store.rejected())
                .put("consumed", consumer.consumed())
                .put("malformed", consumer.malformed())
                .put("pollFailures", consumer.failures())
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
