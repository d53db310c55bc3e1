package jp.inkan.ca.inventory;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import javax.sql.DataSource;
import java.util.UUID;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.events.Outbox;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.common.CertificateType;
import jp.inkan.common.audit.AuditTable;
import jp.inkan.common.jdbc.StatementPart;

/** The certificate inventory: every certificate a CA signed, recorded before anyone sees it. */
@ApplicationScoped
public class CertificateStore implements PanacheRepository<IssuedCertificateEntity> {

    private final DataSource dataSource;
    private final Outbox outbox;
    private final AuditLog audit;

    public CertificateStore(DataSource dataSource, Outbox outbox, AuditLog audit) {
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.audit = audit;
    }

    /** What {@link #record} was asked to keep; {@code serial} is written by {@link #hex}. */
    public record NewCertificate(
            String requestId,
            CertificateType ca,
            long keyGenerationId,
            int keyGeneration,
            String issuerKeyId,
            String serial,
            String subjectDn,
            Instant notBefore,
            Instant notAfter,
            String municipalityCode,
            String cardSerial,
            byte[] publicKeySha256,
            byte[] der,
            Instant issuedAt) {
    }

    public enum Outcome {
        RECORDED,
        /** Another certificate of this CA has the serial: sign again with a new one. */
        SERIAL_TAKEN,
        /** The public key is already certified. */
        KEY_TAKEN,
        /** A certificate was already issued for this request id: see {@link #issuedFor}. */
        REQUEST_TAKEN
    }

    /**
     * Records a signed certificate durably before returning. Conflicts are reported, not thrown,
     * so a serial collision can be retried and nothing half-written remains.
     *
     * <p>Concurrent callers share commits ({@link Coalescer}): one batch at a time writes every
     * waiting certificate in one multi-row insert and one transaction, and each caller returns
     * once the transaction holding its row has committed (or failed). With one caller that is one
     * insert and one commit; under load it saves a commit and a round trip per certificate. This
     * and {@link #validAuthenticationNotAfter} run on every issuance, so they use the pool's
     * connection directly rather than an ORM session and a JTA transaction.
     */
    public Outcome record(NewCertificate certificate) {
        try {
            return writer.submit(certificate);
        } catch (CompletionException e) {
            throw new CaException(CaException.Kind.INVENTORY_UNAVAILABLE,
                    "The certificate inventory cannot be written", e.getCause());
        }
    }

    static final int MAX_BATCH = 64;
    private Coalescer<NewCertificate, Outcome> writer;
    private Coalescer<CardAt, Optional<Instant>> lookups;

    @PostConstruct
    void start() {
        writer = new Coalescer<>("inventory-writer", MAX_BATCH, this::written);
        lookups = new Coalescer<>("inventory-lookup", MAX_BATCH, this::authenticationNotAfters);
    }

    /** Lets the batches in flight complete; whatever still waits after that is failed, not left hanging. */
    @PreDestroy
    void stop() throws InterruptedException {
        try {
            writer.close();
        } finally {
            lookups.close();
        }
    }

    /** One batch of certificates in one transaction: their outcomes, in order, once committed. */
    private List<Outcome> written(List<NewCertificate> certificates) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                AuditTable.Head known = chainHead;
                chainHead = null; // known again only once this batch commits
                Recorded recorded = recorded(connection, certificates, known);
                connection.commit();
                chainHead = recorded.head();
                outbox.committed();
                return recorded.outcomes();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    /** A batch's outcomes, and the audit chain's head after it when that is known. */
    private record Recorded(List<Outcome> outcomes, AuditTable.Head head) {
    }

    /**
     * Writes the batch in the caller's transaction, not committed: with the chain's head known,
     * lock and inserts in one round trip; else (or if the head moved) the lock and the head first;
     * if a certificate hits a conflict, certificate by certificate telling which.
     */
    private Recorded recorded(Connection connection, List<NewCertificate> certificates, AuditTable.Head known)
            throws SQLException {
        List<Outcome> allRecorded = Collections.nCopies(certificates.size(), Outcome.RECORDED);
        if (known != null && knownHead.tryKnownHead()) {
            AuditTable.Insert entries = audit.chainedOnto(known, issuedEntries(certificates));
            Written written = recordedOnto(connection, certificates, entries.ifHeadIs(known), audit.lock());
            if (written == Written.ALL) {
                knownHead.hit();
                return new Recorded(allRecorded, entries.last());
            }
            if (written == Written.HEAD_MOVED) {
                knownHead.missed();
            }
            connection.rollback();
        }
        AuditTable.Insert entries = audit.locked(connection, issuedEntries(certificates));
        if (recordedOnto(connection, certificates, entries) == Written.ALL) {
            return new Recorded(allRecorded, entries.last());
        }
        connection.rollback();
        return new Recorded(recordedTellingConflicts(connection, certificates), null);
    }

    /**
     * The head of the audit chain as this writer left it, or null when unknown (no batch yet, the
     * last one failed or took the conflict path). Knowing it saves the round trip that reads it:
     * the next batch sends the chain's lock and every insert at once, the audit insert guarded by
     * the head. Any other appender (revocations, refusals, anchors) moves the head; that batch then
     * inserts no audit entry, is rolled back and is written the usual way.
     */
    private volatile AuditTable.Head chainHead;
    private final KnownHeadBackoff knownHead = new KnownHeadBackoff();

    private static List<AuditLog.Entry> issuedEntries(List<NewCertificate> certificates) {
        return certificates.stream().map(CertificateStore::issuedEntry).toList();
    }

    /**
     * Sends {@code before} (the chain's lock, when the head was not read under it), the
     * certificates, their events and {@code entries} as one multi-statement round trip, and says
     * whether every certificate and every audit entry went in; if not (a serial, request id or key
     * already taken, or for a guarded insert the chain's head moved) the caller rolls back. A batch
     * so costs two round trips with the commit when the head is known, three when it is read first.
     */
    private Written recordedOnto(Connection connection, List<NewCertificate> certificates, StatementPart entries,
                                 StatementPart... before) throws SQLException {
        StatementPart rows = insert(certificates);
        StatementPart events = outbox.insert(certificates.stream().map(CertificateStore::issued).toList(),
                certificates.get(0).issuedAt());
        List<StatementPart> parts = new ArrayList<>(List.of(before));
        parts.addAll(List.of(rows, events, entries));
        StatementPart[] all = parts.toArray(StatementPart[]::new);
        int inserted = 0;
        int audited = -1;
        try (PreparedStatement statement = connection.prepareStatement(StatementPart.joined(all))) {
            StatementPart.bindAll(statement, all);
            statement.execute();
            for (int i = 0; i < before.length; i++) {
                statement.getMoreResults(); // past the lock's result
            }
            try (ResultSet returned = statement.getResultSet()) { // the certificate insert's returned rows
                while (returned.next()) {
                    inserted++;
                }
            }
            statement.getMoreResults(); // the events' update count
            statement.getMoreResults(); // the audit entries'
            audited = statement.getUpdateCount();
        }
        return inserted < certificates.size() ? Written.CONFLICT
                : audited < certificates.size() ? Written.HEAD_MOVED : Written.ALL;
    }

    /** What a batch's multi-statement wrote: everything, or not, and then why. */
    private enum Written {
        ALL,
        /** A certificate's serial, request id or key was taken. */
        CONFLICT,
        /** The guarded audit insert found the chain's head moved. */
        HEAD_MOVED
    }

    /** A batch with a conflict: inserts what it can, tells each certificate's outcome, and records events and audit entries for the inserted ones. */
    private List<Outcome> recordedTellingConflicts(Connection connection, List<NewCertificate> batch) throws SQLException {
        Set<String> inserted = new HashSet<>();
        StatementPart insert = insert(batch);
        try (PreparedStatement statement = connection.prepareStatement(insert.sql())) {
            insert.bind(statement, 1);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    inserted.add(rows.getString(1) + "/" + rows.getString(2));
                }
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        List<CertificateEvent> events = new ArrayList<>();
        List<AuditLog.Entry> issued = new ArrayList<>();
        for (NewCertificate c : batch) {
            boolean recorded = inserted.contains(c.ca() + "/" + c.serial());
            outcomes.add(recorded ? Outcome.RECORDED
                    : taken(connection, SERIAL_TAKEN_SQL, c.ca().name(), c.serial()) ? Outcome.SERIAL_TAKEN
                    : taken(connection, REQUEST_TAKEN_SQL, c.requestId()) ? Outcome.REQUEST_TAKEN
                    : Outcome.KEY_TAKEN);
            if (recorded) {
                events.add(issued(c));
                issued.add(issuedEntry(c));
            }
        }
        outbox.append(connection, events, batch.get(0).issuedAt());
        audit.appendAll(connection, issued);
        return outcomes;
    }

    /** The multi-row insert for each batch size, built once. */
    private static final String[] INSERT_SQL = new String[MAX_BATCH + 1];

    static {
        for (int size = 1; size <= MAX_BATCH; size++) {
            INSERT_SQL[size] = StatementPart.multiRowInsert("""
                    insert into issued_certificate (request_id, ca, key_generation_id, serial, subject_dn, not_before,
                        not_after, municipality_code, card_serial, status, public_key_sha256, der, issued_at) values""",
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'VALID', ?, ?, ?)", size) + " on conflict do nothing returning ca, serial";
        }
    }

    /** The certificates' multi-row insert, which returns the (ca, serial) of each row it inserted. */
    private static StatementPart insert(List<NewCertificate> certificates) {
        return new StatementPart() {
            @Override
            public String sql() {
                return INSERT_SQL[certificates.size()];
            }

            @Override
            public int bind(PreparedStatement insert, int first) throws SQLException {
                int p = first;
                for (NewCertificate c : certificates) {
                    insert.setString(p++, c.requestId());
                    insert.setString(p++, c.ca().name());
                    insert.setLong(p++, c.keyGenerationId());
                    insert.setString(p++, c.serial());
                    insert.setString(p++, c.subjectDn());
                    insert.setObject(p++, c.notBefore().atOffset(ZoneOffset.UTC));
                    insert.setObject(p++, c.notAfter().atOffset(ZoneOffset.UTC));
                    insert.setString(p++, c.municipalityCode());
                    insert.setString(p++, c.cardSerial());
                    insert.setBytes(p++, c.publicKeySha256());
                    insert.setBytes(p++, c.der());
                    insert.setObject(p++, c.issuedAt().atOffset(ZoneOffset.UTC));
                }
                return p;
            }
        };
    }

    private static AuditLog.Entry issuedEntry(NewCertificate c) {
        return new AuditLog.Entry("municipality " + c.municipalityCode(), "certificate.issued", c.ca() + " " + c.serial(),
                "generation=" + c.keyGeneration() + ", request=" + c.requestId() + ", notAfter=" + c.notAfter());
    }

    private static CertificateEvent issued(NewCertificate c) {
        return new CertificateEvent(CertificateEvent.SCHEMA, UUID.randomUUID().toString(), CertificateEvent.Kind.ISSUED,
                1, c.ca(), c.keyGeneration(), c.issuerKeyId(), c.serial(), c.municipalityCode(), c.notAfter(),
                CertificateStatus.VALID.name(), null, null, null, c.issuedAt());
    }

    private static final String SERIAL_TAKEN_SQL = "select 1 from issued_certificate where ca = ? and serial = ?";
    private static final String REQUEST_TAKEN_SQL = "select 1 from issued_certificate where request_id = ?";

    /** Whether a row other than ours holds the value: our own would have been reported as inserted. */
    private static boolean taken(Connection connection, String sql, String... values) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                query.setString(i + 1, values[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** The certificate already issued for a caller's request id. */
    @Transactional
    public Optional<StoredCertificate> issuedFor(String requestId) {
        return find("requestId", requestId).firstResultOptional().map(CertificateStore::toDomain);
    }

    /** The end of the card's newest authentication certificate still valid at {@code now}. */
    public Optional<Instant> validAuthenticationNotAfter(String cardSerial, Instant now) {
        try {
            return lookups.submit(new CardAt(cardSerial, now));
        } catch (CompletionException e) {
            throw new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The certificate inventory cannot be read",
                    e.getCause());
        }
    }

    record CardAt(String cardSerial, Instant now) {
    }

    /** Each card's answer at its own instant, for a whole batch in one query (the by-card index serves each). */
    List<Optional<Instant>> authenticationNotAfters(List<CardAt> asked) throws SQLException {
        if (asked.isEmpty()) {
            return List.of();
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(AUTHENTICATION_NOT_AFTER_SQL[asked.size()])) {
            int p = 1;
            for (int i = 0; i < asked.size(); i++) {
                query.setInt(p++, i); // the row's place: answers come back in the order asked
                query.setString(p++, asked.get(i).cardSerial());
                query.setObject(p++, asked.get(i).now().atOffset(ZoneOffset.UTC));
            }
            List<Optional<Instant>> answers = new ArrayList<>(asked.size());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    OffsetDateTime notAfter = rows.getObject(1, OffsetDateTime.class);
                    answers.add(Optional.ofNullable(notAfter).map(OffsetDateTime::toInstant));
                }
            }
            return answers;
        }
    }

    /**
     * The lookup for each batch size, built once. A text per size rather than one taking arrays:
     * with an array, the planner cannot know a generic plan's row count, prices it above the
     * custom ones and plans every execution again (measured: planning took four times as long as
     * running). Validity starts on whole seconds, so two certificates for a card can share a
     * notBefore: the one recorded last is the newest.
     */
    private static final String[] AUTHENTICATION_NOT_AFTER_SQL = new String[MAX_BATCH + 1];

    static {
        for (int size = 1; size <= MAX_BATCH; size++) {
            AUTHENTICATION_NOT_AFTER_SQL[size] = StatementPart.multiRowInsert("""
                    select (select c.not_after from issued_certificate c
                            where c.card_serial = a.card and c.ca = 'AUTHENTICATION' and c.status = 'VALID'
                              and c.not_after > a.at
                            order by c.not_before desc, c.id desc limit 1)
                    from (values""", "(?::int, ?::varchar, ?::timestamptz)", size) + ") as a(i, card, at) order by a.i";
        }
    }

    @Transactional
    public Optional<StoredCertificate> find(CertificateType ca, String serialHex) {
        return find("ca = ?1 and serial = ?2", ca, serialHex).firstResultOptional().map(CertificateStore::toDomain);
    }

    /** How many certificates the inventory holds. */
    @Transactional
    public long total() {
        return count();
    }

    /**
     * The next 5-digit sequence for subject common names (wraps after 99999). The database hands
     * out blocks of {@value #SUBJECT_SEQUENCE_BLOCK} so most calls need no round trip; replicas
     * draw distinct blocks.
     */
    public int nextSubjectSequence() {
        synchronized (subjectSequenceLock) {
            if (subjectSequenceNext >= subjectSequenceEnd) {
                subjectSequenceNext = subjectSequenceBlock();
                subjectSequenceEnd = subjectSequenceNext + SUBJECT_SEQUENCE_BLOCK;
            }
            return subjectSequenceNext++;
        }
    }

    static final int SUBJECT_SEQUENCE_BLOCK = 100;
    private final Object subjectSequenceLock = new Object();
    private int subjectSequenceNext;
    private int subjectSequenceEnd;

    /** On the pool's connection like the per-issuance queries: an ORM session and a JTA transaction cost more than the query. */
    private int subjectSequenceBlock() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("select nextval('subject_sequence')");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getInt(1);
        } catch (SQLException e) {
            throw new CaException(CaException.Kind.INVENTORY_UNAVAILABLE, "The certificate inventory cannot be read", e);
        }
    }

    /** Lower-case hex without leading zeros: the one way serials are written down. */
    public static String hex(BigInteger serial) {
        // BigInteger.toString(16) converts by repeated division; the bytes are already base 256.
        String hex = HexFormat.of().formatHex(serial.toByteArray());
        int start = 0;
        while (start < hex.length() - 1 && hex.charAt(start) == '0') {
            start++;
        }
        return hex.substring(start);
    }

    private static StoredCertificate toDomain(IssuedCertificateEntity e) {
        return new StoredCertificate(e.ca, e.keyGenerationId, e.serial, e.subjectDn, e.notBefore, e.notAfter,
                e.municipalityCode, e.cardSerial, e.status, e.publicKeySha256, e.requestId, e.der);
    }
}
