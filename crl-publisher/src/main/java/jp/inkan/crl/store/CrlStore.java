package jp.inkan.crl.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import jp.inkan.crl.audit.AuditLog;
import jp.inkan.common.CertificateType;

/**
 * CRL scopes and their numbers. A number is allocated under the scope's row lock and committed
 * before anything is built or signed, so two publishers (threads or replicas) never hold the same
 * number; a publication is recorded only if no higher number of the scope was published first.
 */
@ApplicationScoped
public class CrlStore {

    /** The partition name of a key generation's full CRL. */
    public static final String FULL = "*";

    public enum Kind { COMPLETE, DELTA }

    public record Scope(long id, CertificateType ca, int generation, String partition, BigInteger publishedNumber,
                        BigInteger baseNumber, Long baseChangeSeq) {
        public boolean full() {
            return FULL.equals(partition);
        }
    }

    /** A committed number: {@code baseNumber}/{@code baseChangeSeq} name the complete CRL a delta builds on. */
    public record Allocation(Scope scope, Kind kind, BigInteger number, BigInteger baseNumber, Long baseChangeSeq) {
    }

    private final DataSource dataSource;
    private final AuditLog audit;

    public CrlStore(DataSource dataSource, AuditLog audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    public void ensureScope(CertificateType ca, int generation, String partition) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement(
                     "insert into crl_scope (ca, key_generation, partition) values (?, ?, ?) on conflict do nothing")) {
            insert.setString(1, ca.name());
            insert.setInt(2, generation);
            insert.setString(3, partition);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record CRL scope", e);
        }
    }

    public List<Scope> scopes() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("""
                     select id, ca, key_generation, partition, published_number, base_number, base_change_seq
                     from crl_scope order by ca, key_generation, partition""");
             ResultSet rs = select.executeQuery()) {
            List<Scope> scopes = new ArrayList<>();
            while (rs.next()) {
                scopes.add(scope(rs));
            }
            return scopes;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read CRL scopes", e);
        }
    }

    /**
     * Allocates the scope's next number for a CRL of {@code kind}, unless it is not due: a complete
     * CRL is due when none of the scope was allocated within {@code minInterval}, a delta when a
     * complete CRL was published and no CRL was allocated within {@code minInterval}. {@code force}
     * (operator trigger) skips the interval. The number is committed when this returns.
     */
    public Optional<Allocation> allocate(long scopeId, Kind kind, boolean force, Instant now, Duration minInterval)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Scope scope;
                BigInteger last;
                OffsetDateTime completeAt;
                OffsetDateTime deltaAt;
                try (PreparedStatement lock = c.prepareStatement("""
                        select id, ca, key_generation, partition, published_number, base_number, base_change_seq,
                               last_number, complete_allocated_at, delta_allocated_at
                        from crl_scope where id = ? for update""")) {
                    lock.setLong(1, scopeId);
                    try (ResultSet rs = lock.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return Optional.empty();
                        }
                        scope = scope(rs);
                        last = rs.getBigDecimal(8).toBigIntegerExact();
                        completeAt = rs.getObject(9, OffsetDateTime.class);
                        deltaAt = rs.getObject(10, OffsetDateTime.class);
                    }
                }
                Instant threshold = now.minus(minInterval);
                boolean due;
                if (kind == Kind.COMPLETE) {
                    due = force || completeAt == null || completeAt.toInstant().isBefore(threshold);
                } else {
                    Instant latest = max(completeAt, deltaAt);
                    due = scope.baseNumber() != null && (force || latest == null || latest.isBefore(threshold));
                }
                if (!due) {
                    c.rollback();
                    return Optional.empty();
                }
                BigInteger number = last.add(BigInteger.ONE);
                try (PreparedStatement update = c.prepareStatement(kind == Kind.COMPLETE
                        ? "update crl_scope set last_number = ?, complete_allocated_at = ? where id = ?"
                        : "update crl_scope set last_number = ?, delta_allocated_at = ? where id = ?")) {
                    update.setBigDecimal(1, new BigDecimal(number));
                    update.setObject(2, now.atOffset(ZoneOffset.UTC));
                    update.setLong(3, scopeId);
                    update.executeUpdate();
                }
                try (PreparedStatement insert = c.prepareStatement("""
                        insert into crl (scope_id, number, kind, base_number, state, allocated_at)
                        values (?, ?, ?, ?, 'ALLOCATED', ?)""")) {
                    insert.setLong(1, scopeId);
                    insert.setBigDecimal(2, new BigDecimal(number));
                    insert.setString(3, kind.name());
                    insert.setBigDecimal(4, kind == Kind.DELTA ? new BigDecimal(scope.baseNumber()) : null);
                    insert.setObject(5, now.atOffset(ZoneOffset.UTC));
                    insert.executeUpdate();
                }
                c.commit();
                return Optional.of(new Allocation(scope, kind, number,
                        kind == Kind.DELTA ? scope.baseNumber() : null, kind == Kind.DELTA ? scope.baseChangeSeq() : null));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** What was published. */
    public record Publication(long changeSeq, Instant thisUpdate, Instant nextUpdate, long entries, long bytes,
                              String tbsSha256) {
    }

    /**
     * Under the scope's row lock: if no higher number of the scope is published, runs {@code install}
     * (the atomic rename that makes the CRL served) and records the publication; otherwise marks
     * the number abandoned and returns false. A failure of {@code install} leaves the number
     * allocated (never reused).
     */
    public boolean publish(Allocation allocation, Publication publication, Runnable install) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                BigInteger published;
                try (PreparedStatement lock = c.prepareStatement(
                        "select published_number from crl_scope where id = ? for update")) {
                    lock.setLong(1, allocation.scope().id());
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        BigDecimal p = rs.getBigDecimal(1);
                        published = p == null ? null : p.toBigIntegerExact();
                    }
                }
                boolean newest = published == null || published.compareTo(allocation.number()) < 0;
                if (newest) {
                    install.run();
                }
                try (PreparedStatement update = c.prepareStatement("""
                        update crl set state = ?, change_seq = ?, this_update = ?, next_update = ?, entries = ?,
                            bytes = ?, sha256 = ?, published_at = ?
                        where scope_id = ? and number = ?""")) {
                    update.setString(1, newest ? "PUBLISHED" : "ABANDONED");
                    update.setLong(2, publication.changeSeq());
                    update.setObject(3, publication.thisUpdate().atOffset(ZoneOffset.UTC));
                    update.setObject(4, publication.nextUpdate().atOffset(ZoneOffset.UTC));
                    update.setLong(5, publication.entries());
                    update.setLong(6, publication.bytes());
                    update.setString(7, publication.tbsSha256());
                    update.setObject(8, newest ? OffsetDateTime.now(ZoneOffset.UTC) : null);
                    update.setLong(9, allocation.scope().id());
                    update.setBigDecimal(10, new BigDecimal(allocation.number()));
                    update.executeUpdate();
                }
                if (newest) {
                    try (PreparedStatement update = c.prepareStatement(allocation.kind() == Kind.COMPLETE
                            ? "update crl_scope set published_number = ?, base_number = ?, base_change_seq = ? where id = ?"
                            : "update crl_scope set published_number = ? where id = ?")) {
                        update.setBigDecimal(1, new BigDecimal(allocation.number()));
                        if (allocation.kind() == Kind.COMPLETE) {
                            update.setBigDecimal(2, new BigDecimal(allocation.number()));
                            update.setLong(3, publication.changeSeq());
                            update.setLong(4, allocation.scope().id());
                        } else {
                            update.setLong(2, allocation.scope().id());
                        }
                        update.executeUpdate();
                    }
                }
                Scope scope = allocation.scope();
                audit.append(c, "crl-publisher", newest ? "crl.published" : "crl.abandoned",
                        scope.ca().name().toLowerCase(java.util.Locale.ROOT) + "/g" + String.format("%02d", scope.generation())
                                + "/" + (scope.full() ? "full" : scope.partition()) + " " + allocation.kind().name().toLowerCase(java.util.Locale.ROOT),
                        "number " + allocation.number() + (allocation.baseNumber() == null ? "" : " (delta of " + allocation.baseNumber() + ")")
                                + ", " + publication.entries() + " entries, " + publication.bytes() + " bytes, thisUpdate "
                                + publication.thisUpdate() + ", nextUpdate " + publication.nextUpdate() + ", TBS SHA-256 "
                                + publication.tbsSha256() + (newest ? "" : ": a higher number was published first"));
                c.commit();
                return newest;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static Instant max(OffsetDateTime a, OffsetDateTime b) {
        if (a == null) {
            return b == null ? null : b.toInstant();
        }
        if (b == null) {
            return a.toInstant();
        }
        return a.isAfter(b) ? a.toInstant() : b.toInstant();
    }

    private static Scope scope(ResultSet rs) throws SQLException {
        BigDecimal published = rs.getBigDecimal(5);
        BigDecimal base = rs.getBigDecimal(6);
        long baseSeq = rs.getLong(7);
        return new Scope(rs.getLong(1), CertificateType.valueOf(rs.getString(2)), rs.getInt(3), rs.getString(4),
                published == null ? null : published.toBigIntegerExact(),
                base == null ? null : base.toBigIntegerExact(), rs.wasNull() ? null : baseSeq);
    }
}
