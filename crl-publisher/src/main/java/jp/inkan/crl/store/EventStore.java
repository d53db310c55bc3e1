package jp.inkan.crl.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.events.CertificateEvent;

/**
 * Applies certificate events to the revocation store, in one transaction with the consumer
 * offsets they advance: after a crash, consumption resumes exactly after the last committed batch.
 * Events are applied idempotently by revision (one not above the stored revision changes nothing).
 */
@ApplicationScoped
public class EventStore {

    /** The offset to resume from in one topic partition. */
    public record Offset(String topic, int partition, long nextOffset) {
    }

    private final DataSource dataSource;

    public EventStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Map<Integer, Long> offsets(String topic) {
        Map<Integer, Long> offsets = new HashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("select partition, next_offset from consumer_offset where topic = ?")) {
            select.setString(1, topic);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    offsets.put(rs.getInt(1), rs.getLong(2));
                }
            }
            return offsets;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read consumer offsets", e);
        }
    }

    /**
     * Applies {@code events} (in partition order) and records {@code offsets}, atomically. Returns
     * how many events changed the store.
     */
    public int apply(List<CertificateEvent> events, List<Offset> offsets) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int changed = apply(c, events, offsets);
                c.commit();
                return changed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private int apply(Connection c, List<CertificateEvent> events, List<Offset> offsets) throws SQLException {
        // The row lock on the counter is held to commit: batches commit in change_seq order.
        long changeSeq;
        try (PreparedStatement bump = c.prepareStatement(
                "update change_counter set value = value + 1 where id = 1 returning value");
             ResultSet rs = bump.executeQuery()) {
            rs.next();
            changeSeq = rs.getLong(1);
        }
        int changed = 0;
        Set<String> scopes = new LinkedHashSet<>();
        try (PreparedStatement upsert = c.prepareStatement("""
                insert into cert_status (issuer_key_id, serial, ca, key_generation, municipality_code, not_after, status,
                    revoked_at, reason, invalidity_date, revision, change_seq)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (issuer_key_id, serial) do update set
                    status = excluded.status, revoked_at = excluded.revoked_at, reason = excluded.reason,
                    invalidity_date = excluded.invalidity_date, revision = excluded.revision,
                    change_seq = excluded.change_seq, municipality_code = excluded.municipality_code,
                    not_after = excluded.not_after
                where cert_status.revision < excluded.revision""");
             PreparedStatement release = c.prepareStatement("""
                update cert_status set status = 'V', revoked_at = ?, reason = ?, invalidity_date = null,
                    revision = ?, change_seq = ?
                where issuer_key_id = ? and serial = ? and revision < ?""")) {
            for (CertificateEvent e : events) {
                if (e.schema() != CertificateEvent.SCHEMA) {
                    throw new IllegalStateException("Unknown certificate event schema " + e.schema() + " (" + e.eventId() + ")");
                }
                scopes.add(e.ca().name() + "|" + e.keyGeneration() + "|" + e.municipalityCode());
                String status = e.status();
                if ("VALID".equals(status)) {
                    // Nothing to list unless it was held before (then deltas say removeFromCRL).
                    release.setLong(1, (e.revokedAt() != null ? e.revokedAt() : e.occurredAt()).getEpochSecond());
                    if (e.reason() == RevocationReason.REMOVE_FROM_CRL) {
                        release.setInt(2, RevocationReason.REMOVE_FROM_CRL.code());
                    } else {
                        release.setNull(2, Types.SMALLINT);
                    }
                    release.setLong(3, e.revision());
                    release.setLong(4, changeSeq);
                    release.setString(5, e.issuerKeyId());
                    release.setString(6, e.serial());
                    release.setLong(7, e.revision());
                    release.addBatch();
                    continue;
                }
                upsert.setString(1, e.issuerKeyId());
                upsert.setString(2, e.serial());
                upsert.setString(3, e.ca().name());
                upsert.setInt(4, e.keyGeneration());
                upsert.setString(5, e.municipalityCode());
                upsert.setLong(6, e.notAfter().getEpochSecond());
                upsert.setString(7, "ON_HOLD".equals(status) ? "H" : "R");
                upsert.setLong(8, e.revokedAt().getEpochSecond());
                upsert.setInt(9, e.reason() == null ? RevocationReason.UNSPECIFIED.code() : e.reason().code());
                if (e.invalidityDate() == null) {
                    upsert.setNull(10, Types.BIGINT);
                } else {
                    upsert.setLong(10, e.invalidityDate().getEpochSecond());
                }
                upsert.setLong(11, e.revision());
                upsert.setLong(12, changeSeq);
                upsert.addBatch();
            }
            for (int n : upsert.executeBatch()) {
                changed += Math.max(n, 0);
            }
            for (int n : release.executeBatch()) {
                changed += Math.max(n, 0);
            }
        }
        try (PreparedStatement scope = c.prepareStatement("""
                insert into crl_scope (ca, key_generation, partition) values (?, ?, ?)
                on conflict do nothing""")) {
            for (String s : scopes) {
                String[] f = s.split("\\|");
                scope.setString(1, f[0]);
                scope.setInt(2, Integer.parseInt(f[1]));
                scope.setString(3, f[2]);
                scope.addBatch();
                scope.setString(3, CrlStore.FULL);
                scope.addBatch();
            }
            scope.executeBatch();
        }
        try (PreparedStatement offset = c.prepareStatement("""
                insert into consumer_offset (topic, partition, next_offset) values (?, ?, ?)
                on conflict (topic, partition) do update set next_offset = greatest(consumer_offset.next_offset, excluded.next_offset)""")) {
            for (Offset o : offsets) {
                offset.setString(1, o.topic());
                offset.setInt(2, o.partition());
                offset.setLong(3, o.nextOffset());
                offset.addBatch();
            }
            offset.executeBatch();
        }
        return changed;
    }
}
