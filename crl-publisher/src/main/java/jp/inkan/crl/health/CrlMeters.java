package jp.inkan.crl.health;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import jp.inkan.common.CertificateType;
import jp.inkan.crl.events.EventConsumer;
import jp.inkan.crl.store.CrlStore;
import org.jboss.logging.Logger;

/**
 * {@code inkan_crl_age_seconds{ca, generation, scope, kind}}: seconds since thisUpdate of the newest
 * published CRL of each scope and kind, whichever replica published it (read from the scope rows at
 * most every few seconds, at once for this replica's own publications); plus the consumer's lag and
 * counters.
 */
@ApplicationScoped
public class CrlMeters {

    private static final Logger LOG = Logger.getLogger(CrlMeters.class);
    private static final Duration REFRESH = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final MeterRegistry meters;
    private final Clock clock;
    /** Epoch second of thisUpdate per gauge key; gauges read it, a scrape refreshes it. */
    private final Map<String, Long> thisUpdates = new ConcurrentHashMap<>();
    private volatile long refreshedAt;

    public CrlMeters(DataSource dataSource, MeterRegistry meters, Clock clock) {
        this.clock = clock;
        this.dataSource = dataSource;
        this.meters = meters;
    }

    void register(@Observes StartupEvent startup, EventConsumer consumer) {
        Gauge.builder("inkan.events.consumer.lag", consumer, EventConsumer::lag)
                .description("Certificate events between the stored offsets and the topic's end on this replica's partitions (-1 before the first check)")
                .register(meters);
        FunctionCounter.builder("inkan.events.consumed", consumer, EventConsumer::received)
                .description("Certificate events read from the topic since start").register(meters);
        refresh(true);
    }

    /**
     * Re-reads the newest thisUpdate per scope and kind and adds a gauge for any new one. Called after
     * publications and by the scheduled check, never from a scrape (no registration while scraping).
     */
    public void refresh() {
        refresh(true);
    }

    private synchronized void refresh(boolean registerNew) {
        refreshedAt = System.nanoTime();
        Map<String, Long> fresh = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             // The scope row names its newest complete CRL (base_number) and its newest CRL of either
             // kind (published_number): primary-key lookups, one pair per scope, whatever the history.
             PreparedStatement select = c.prepareStatement("""
                     select s.ca, s.key_generation, s.partition, c.kind, c.this_update
                     from crl_scope s join crl c on c.scope_id = s.id and c.number = s.base_number
                     union all
                     select s.ca, s.key_generation, s.partition, c.kind, c.this_update
                     from crl_scope s join crl c on c.scope_id = s.id and c.number = s.published_number
                     where c.kind = 'DELTA'""");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                String ca = rs.getString(1).toLowerCase(Locale.ROOT);
                String generation = Integer.toString(rs.getInt(2));
                String scope = CrlStore.FULL.equals(rs.getString(3)) ? "full" : rs.getString(3);
                String kind = rs.getString(4).toLowerCase(Locale.ROOT);
                String key = key(ca, generation, scope, kind);
                fresh.put(key, rs.getObject(5, OffsetDateTime.class).toEpochSecond());
                if (registerNew && !thisUpdates.containsKey(key)) {
                    register(key, ca, generation, scope, kind, fresh.get(key));
                }
            }
        } catch (SQLException e) {
            LOG.debugf("CRL ages not refreshed: %s", e.getMessage());
            return;
        }
        fresh.keySet().retainAll(thisUpdates.keySet());
        fresh.forEach((key, thisUpdate) -> thisUpdates.merge(key, thisUpdate, Math::max));
    }

    /** A CRL this replica just published: its scope's age restarts now (no query). */
    public synchronized void published(CertificateType ca, int generation, String partition, CrlStore.Kind kind,
                                       long thisUpdate) {
        String caLabel = ca.name().toLowerCase(Locale.ROOT);
        String scope = CrlStore.FULL.equals(partition) ? "full" : partition;
        String kindLabel = kind.name().toLowerCase(Locale.ROOT);
        String key = key(caLabel, Integer.toString(generation), scope, kindLabel);
        if (thisUpdates.containsKey(key)) {
            thisUpdates.merge(key, thisUpdate, Math::max);
        } else {
            register(key, caLabel, Integer.toString(generation), scope, kindLabel, thisUpdate);
        }
    }

    private void register(String key, String ca, String generation, String scope, String kind, long thisUpdate) {
        thisUpdates.put(key, thisUpdate);
        Gauge.builder("inkan.crl.age", () -> age(key))
                .description("Seconds since thisUpdate of the newest published CRL of the scope")
                .baseUnit("seconds")
                .tags(Tags.of("ca", ca, "generation", generation, "scope", scope, "kind", kind))
                .register(meters);
    }

    private static String key(String ca, String generation, String scope, String kind) {
        return ca + "/" + generation + "/" + scope + "/" + kind;
    }

    private double age(String key) {
        if (System.nanoTime() - refreshedAt > REFRESH.toNanos()) {
            refresh(false);
        }
        Long thisUpdate = thisUpdates.get(key);
        return thisUpdate == null ? Double.NaN : clock.instant().getEpochSecond() - thisUpdate;
    }
}
