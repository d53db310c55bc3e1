package jp.inkan.ca.audit;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.hsm.CryptoToken;
import jp.inkan.ca.hsm.SigningAlgorithm;
import jp.inkan.common.jdbc.JdbcTransactions;
import jp.inkan.ca.issuance.KeyType;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.AuditChain;
import jp.inkan.common.audit.AuditTable;
import jp.inkan.common.jdbc.StatementPart;
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
    private final CaConfig config;
    private final Clock clock;
    private final AuditTable table;

    public AuditLog(DataSource dataSource, CryptoToken token, CaConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.token = token;
        this.config = config;
        this.clock = clock;
        this.table = new AuditTable("audit_log", CHAIN_LOCK, clock);
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
        return table.append(connection, tableEntries(entries));
    }

    /**
     * Takes the chain's lock for the caller's transaction and chains {@code entries} onto its head;
     * the caller sends the returned insert with its own change, in that transaction.
     */
    public AuditTable.Insert locked(Connection connection, List<Entry> entries) throws SQLException {
        return table.locked(connection, tableEntries(entries));
    }

    /** See {@link AuditTable#chainedOnto}: entries chained onto a head the caller wrote itself, sent after {@link #lock()}. */
    public AuditTable.Insert chainedOnto(AuditTable.Head head, List<Entry> entries) {
        return table.chainedOnto(head, tableEntries(entries));
    }

    /** The chain's transaction lock, as a statement to send with others. */
    public StatementPart lock() {
        return table.lock();
    }

    private static List<AuditTable.Entry> tableEntries(List<Entry> entries) {
        return entries.stream().map(e -> new AuditTable.Entry(e.actor(), e.action(), e.subject(), e.detail())).toList();
    }

    /** Appends in a transaction of its own (events with no other database change, e.g. a refusal). */
    public void record(String actor, String action, String subject, String detail) {
        JdbcTransactions.inTransaction(dataSource, connection -> {
            append(connection, actor, action, subject, detail);
            return null;
        }, e -> new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The audit trail cannot be written", e));
    }

    static final String ANCHOR = "audit.anchor";
    private static final java.util.regex.Pattern CHAIN = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("[0-9a-f]{64}");
    private static final java.util.regex.Pattern ANCHOR_DETAIL = java.util.regex.Pattern.compile("seq=(\\d+) hash=([0-9a-f]{64})");

    /**
     * Records another service's chain head ({@code client}'s chain {@code anchor.chain()}) as an
     * entry of this chain, so the next seal covers it. The same head as that chain's last anchor
     * is answered with that anchor and not recorded again.
     */
    public AuditAnchor anchor(String client, String clientSubject, AuditAnchor anchor) {
        List<CaException.FieldError> errors = new java.util.ArrayList<>();
        if (anchor == null) {
            throw new CaException(CaException.Kind.INVALID_REQUEST, "The request has no body.",
                    List.of(new CaException.FieldError("body", "is required")));
        }
        String chain = anchor.chain() == null ? AuditAnchor.MAIN : anchor.chain();
        if (!CHAIN.matcher(chain).matches()) {
            errors.add(new CaException.FieldError("chain", "must be 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit"));
        }
        if (anchor.seq() < 1) {
            errors.add(new CaException.FieldError("seq", "must be at least 1"));
        }
        if (anchor.entryHash() == null || !HASH.matcher(anchor.entryHash()).matches()) {
            errors.add(new CaException.FieldError("entryHash", "must be a SHA-256 hash in 64 lower-case hex digits"));
        }
        if (!errors.isEmpty()) {
            throw new CaException(CaException.Kind.INVALID_REQUEST, "The anchor has " + errors.size()
                    + " invalid field(s).", errors);
        }
        String subject = client + "/" + chain;
        String detail = "seq=" + anchor.seq() + " hash=" + anchor.entryHash();
        return JdbcTransactions.inTransaction(dataSource, connection -> {
            Optional<AuditAnchor> last = anchors(connection, subject, true).stream().findFirst();
            if (last.isPresent() && last.get().seq() == anchor.seq() && last.get().entryHash().equals(anchor.entryHash())) {
                return last.get();
            }
            long recordedAs = append(connection, clientSubject, ANCHOR, subject, detail);
            return new AuditAnchor(chain, anchor.seq(), anchor.entryHash(), recordedAs);
        }, e -> new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The audit trail cannot be written", e));
    }

    /** Every anchor of {@code client}'s chains, oldest first. */
    public List<AuditAnchor> anchors(String client) {
        try (Connection connection = dataSource.getConnection()) {
            return anchors(connection, client + "/%", false);
        } catch (SQLException e) {
            throw new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The audit trail cannot be read", e);
        }
    }

    private static List<AuditAnchor> anchors(Connection connection, String subject, boolean lastOnly) throws SQLException {
        List<AuditAnchor> anchors = new java.util.ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement("select seq, subject, detail from audit_log "
                + "where action = ? and subject " + (lastOnly ? "= ? order by seq desc limit 1" : "like ? order by seq"))) {
            query.setString(1, ANCHOR);
            query.setString(2, subject);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    java.util.regex.Matcher m = ANCHOR_DETAIL.matcher(row.getString(3));
                    String name = row.getString(2);
                    if (m.matches()) {
                        anchors.add(new AuditAnchor(name.substring(name.indexOf('/') + 1), Long.parseLong(m.group(1)),
                                m.group(2), row.getLong(1)));
                    }
                }
            }
        }
        return anchors;
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
            table.readInto(connection, verifier);
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
            token.generate(KeyType.EC_P256, alias);
            LOG.infof("Generated the audit seal key '%s' in the HSM", alias);
        }
        return alias;
    }
}
