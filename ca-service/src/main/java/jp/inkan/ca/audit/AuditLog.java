package jp.inkan.ca.audit;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.hsm.CryptoToken;
import jp.inkan.ca.hsm.SigningAlgorithm;
import jp.inkan.ca.inventory.JdbcTransactions;
import jp.inkan.ca.issuance.KeyType;
import jp.inkan.ca.issuance.SerialNumbers;
import jp.inkan.common.audit.AuditChain;
import org.jboss.logging.Logger;

/**
 * ca-service's append-only audit trail: entries chained by hash ({@link AuditChain}), appended in
 * the transaction of the change they record, serialised on an advisory lock so the chain has one
 * order; the database refuses UPDATE, DELETE and TRUNCATE. A scheduled job seals the head of the
 * chain with a signature by a key of its own in the HSM (never a CA key), so a chain rewritten
 * from some entry on, hashes recomputed, is still caught up to the last seal.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    private static final long CHAIN_LOCK = 0x4175646974L;
    private static final SigningAlgorithm SEAL_ALGORITHM = SigningAlgorithm.SHA256_WITH_ECDSA;

    /** The outcome of checking the whole trail. */
    public record Verification(boolean intact, long entries, long lastSeq, long seals, List<AuditChain.Break> breaks) {
    }

    private final DataSource dataSource;
    private final CryptoToken token;
    private final X509Encoder encoder;
    private final SerialNumbers serials;
    private final CaConfig config;
    private final Clock clock;

    public AuditLog(DataSource dataSource, CryptoToken token, X509Encoder encoder, SerialNumbers serials,
                    CaConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.token = token;
        this.encoder = encoder;
        this.serials = serials;
        this.config = config;
        this.clock = clock;
    }

    /** One entry to append. */
    public record Entry(String actor, String action, String subject, String detail) {
    }

    /** Appends within the caller's transaction (autocommit off): the entry commits with the change. */
    public long append(Connection connection, String actor, String action, String subject, String detail)
            throws SQLException {
        return appendAll(connection, List.of(new Entry(actor, action, subject, detail)));
    }

    /** Appends several entries with one lock, one head read and one batch (issuance records in batches). */
    public long appendAll(Connection connection, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return 0;
        }
        try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, CHAIN_LOCK);
            lock.execute();
        }
        long seq = 1;
        byte[] prev = AuditChain.GENESIS;
        try (PreparedStatement head = connection.prepareStatement(
                "select seq, entry_hash from audit_log order by seq desc limit 1");
             ResultSet row = head.executeQuery()) {
            if (row.next()) {
                seq = row.getLong(1) + 1;
                prev = row.getBytes(2);
            }
        }
        Instant at = AuditChain.storable(clock.instant());
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into audit_log (seq, at, actor, action, subject, detail, prev_hash, entry_hash)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            for (Entry e : entries) {
                byte[] hash = AuditChain.hash(seq, at, e.actor(), e.action(), e.subject(), e.detail(), prev);
                insert.setLong(1, seq);
                insert.setObject(2, at.atOffset(ZoneOffset.UTC));
                insert.setString(3, e.actor());
                insert.setString(4, e.action());
                insert.setString(5, e.subject());
                insert.setString(6, e.detail());
                insert.setBytes(7, prev);
                insert.setBytes(8, hash);
                insert.addBatch();
                prev = hash;
                seq++;
            }
            insert.executeBatch();
        }
        return seq - 1;
    }

    /** Appends in a transaction of its own (events with no other database change, e.g. a refusal). */
    public void record(String actor, String action, String subject, String detail) {
        JdbcTransactions.inTransaction(dataSource, connection -> {
            append(connection, actor, action, subject, detail);
            return null;
        }, e -> new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The audit trail cannot be written", e));
    }

    @Scheduled(every = "${inkan.ca.audit.seal-every:PT1M}", delayed = "PT30S",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledSeal() {
        try {
            seal();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Sealing the audit trail failed; the next run tries again");
        }
    }

    /** Signs the chain head in the HSM if entries were added since the last seal; returns the sealed seq. */
    public Optional<Long> seal() {
        try (Connection connection = dataSource.getConnection()) {
            long seq;
            byte[] hash;
            try (PreparedStatement head = connection.prepareStatement("""
                    select seq, entry_hash from audit_log where seq > coalesce((select max(seq) from audit_seal), 0)
                    order by seq desc limit 1""");
                 ResultSet row = head.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                seq = row.getLong(1);
                hash = row.getBytes(2);
            }
            String alias = sealKey();
            byte[] signature = token.sign(alias, SEAL_ALGORITHM, AuditChain.sealInput(seq, hash));
            try (PreparedStatement insert = connection.prepareStatement("""
                    insert into audit_seal (seq, entry_hash, key_alias, algorithm, signature, sealed_at)
                    values (?, ?, ?, ?, ?, ?)""")) {
                insert.setLong(1, seq);
                insert.setBytes(2, hash);
                insert.setString(3, alias);
                insert.setString(4, SEAL_ALGORITHM.jcaName());
                insert.setBytes(5, signature);
                insert.setObject(6, clock.instant().atOffset(ZoneOffset.UTC));
                insert.executeUpdate();
            }
            LOG.infof("Sealed the audit trail at entry %d", seq);
            return Optional.of(seq);
        } catch (SQLException e) {
            throw new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The audit trail cannot be read", e);
        }
    }

    /** Re-computes the whole chain and checks every seal; says where it is broken. */
    public Verification verify() {
        AuditChain.Verifier verifier = new AuditChain.Verifier();
        long seals = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (PreparedStatement entries = connection.prepareStatement("""
                    select seq, at, actor, action, subject, detail, prev_hash, entry_hash from audit_log order by seq""")) {
                entries.setFetchSize(1000);
                try (ResultSet row = entries.executeQuery()) {
                    while (row.next()) {
                        verifier.accept(new AuditChain.Entry(row.getLong(1), row.getObject(2, OffsetDateTime.class).toInstant(),
                                row.getString(3), row.getString(4), row.getString(5), row.getString(6), row.getBytes(7),
                                row.getBytes(8)));
                    }
                }
            }
            try (PreparedStatement query = connection.prepareStatement(
                    "select seq, entry_hash, key_alias, signature from audit_seal order by id");
                 ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    seals++;
                    long seq = row.getLong(1);
                    byte[] hash = row.getBytes(2);
                    verifier.seal(seq, hash, validSeal(row.getString(3), AuditChain.sealInput(seq, hash), row.getBytes(4)));
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The audit trail cannot be read", e);
        }
        List<AuditChain.Break> breaks = verifier.breaks();
        return new Verification(breaks.isEmpty(), verifier.entries(), verifier.lastSeq(), seals, breaks);
    }

    private boolean validSeal(String alias, byte[] input, byte[] signature) {
        Optional<CryptoToken.StoredKey> key = token.find(alias);
        if (key.isEmpty()) {
            return false;
        }
        try {
            PublicKey publicKey = key.get().publicKey();
            Signature verifier = Signature.getInstance(SEAL_ALGORITHM.jcaName());
            verifier.initVerify(publicKey);
            verifier.update(input);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private synchronized String sealKey() {
        String alias = config.audit().sealKeyAlias();
        if (token.find(alias).isEmpty()) {
            CryptoToken.PendingKey key = token.generate(KeyType.EC_P256);
            Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS);
            BigInteger serial = serials.next();
            byte[] certificate = encoder.selfSignedSigningKey("CN=Inkan ca-service audit seal", serial, notBefore,
                    notBefore.atOffset(ZoneOffset.UTC).plusYears(10).toInstant(), key.publicKey(), SEAL_ALGORITHM,
                    tbs -> key.sign(SEAL_ALGORITHM, tbs));
            token.store(key, alias, certificate);
            LOG.infof("Generated the audit seal key '%s' in the HSM", alias);
        }
        return alias;
    }
}
