package jp.inkan.ca.revocation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.error.CaException.FieldError;
import jp.inkan.ca.error.CaException.Kind;
import jp.inkan.ca.events.Outbox;
import jp.inkan.ca.inventory.CertificateStatus;
import jp.inkan.common.CertificateType;
import jp.inkan.common.LocalGovernmentCode;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.ca.CertificateStatusView;
import jp.inkan.common.ca.RevocationRequest;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.common.jdbc.JdbcTransactions;
import org.jboss.logging.Logger;

/**
 * Revokes, holds and releases certificates. Each change stamps its time here, updates the
 * inventory row and appends the event to the outbox in one transaction, under a row lock, so
 * concurrent calls for one certificate serialise and nothing is half-written.
 *
 * <p>Idempotent by state: a repeated revocation answers the first one's time and reason; the only
 * change allowed to a revoked certificate is to keyCompromise (RFC 5280 §5.3.1 lets a CA raise
 * it), keeping the revocation time.
 */
@ApplicationScoped
public class RevocationService {

    private static final Logger LOG = Logger.getLogger(RevocationService.class);
    private static final Pattern SERIAL = Pattern.compile("[0-9a-f]{1,40}");

    private final DataSource dataSource;
    private final Outbox outbox;
    private final CaConfig config;
    private final Clock clock;
    private final MeterRegistry meters;
    private final AuditLog audit;

    public RevocationService(DataSource dataSource, Outbox outbox, CaConfig config, Clock clock, MeterRegistry meters,
                             AuditLog audit) {
        this.meters = meters;
        this.audit = audit;
        this.dataSource = dataSource;
        this.outbox = outbox;
        this.config = config;
        this.clock = clock;
    }

    public CertificateStatusView revoke(CertificateType ca, String serial, RevocationRequest request) {
        Instant now = now();
        String hex = checked(serial, request, now, true);
        return change(ca, hex, request.municipalityCode(), now, current -> switch (current.status) {
            case VALID -> current.to(CertificateStatus.REVOKED, now, request.reason(), seconds(request.invalidityDate()),
                    CertificateEvent.Kind.REVOKED);
            // A held certificate revoked for good keeps the hold's time (its suspension began then).
            case ON_HOLD -> current.to(CertificateStatus.REVOKED, current.revokedAt, request.reason(),
                    seconds(request.invalidityDate()), CertificateEvent.Kind.REVOKED);
            case REVOKED -> {
                if (current.reason == request.reason()) {
                    yield null;
                }
                if (request.reason() != RevocationReason.KEY_COMPROMISE) {
                    throw new CaException(Kind.REVOCATION_CONFLICT, "The certificate was revoked at "
                            + current.revokedAt + " for " + current.reason.rfcName()
                            + "; only a change to keyCompromise is allowed.");
                }
                yield current.to(CertificateStatus.REVOKED, current.revokedAt, RevocationReason.KEY_COMPROMISE,
                        request.invalidityDate() != null ? seconds(request.invalidityDate()) : current.invalidityDate,
                        CertificateEvent.Kind.REASON_CHANGED);
            }
        });
    }

    /** The 24/7 loss line: certificateHold. A held or revoked certificate stays as it is. */
    public CertificateStatusView hold(CertificateType ca, String serial, String municipalityCode) {
        Instant now = now();
        String hex = checked(serial, new RevocationRequest(municipalityCode, RevocationReason.CERTIFICATE_HOLD, null),
                now, false);
        return change(ca, hex, municipalityCode, now, current -> current.status == CertificateStatus.VALID
                ? current.to(CertificateStatus.ON_HOLD, now, RevocationReason.CERTIFICATE_HOLD, null,
                CertificateEvent.Kind.HELD)
                : null);
    }

    /**
     * Operator-only, off by default (JPKI never releases a hold): the certificate is valid again and
     * CRLs list it once more with removeFromCRL (in deltas).
     */
    public CertificateStatusView releaseHold(CertificateType ca, String serial) {
        if (!config.revocation().holdReleaseEnabled()) {
            throw new CaException(Kind.DISABLED, "Hold release is disabled (inkan.ca.revocation.hold-release-enabled).");
        }
        Instant now = now();
        String hex = normalised(serial);
        return change(ca, hex, null, now, current -> current.status == CertificateStatus.ON_HOLD
                ? current.to(CertificateStatus.VALID, now, RevocationReason.REMOVE_FROM_CRL, null,
                CertificateEvent.Kind.HOLD_RELEASED)
                : null);
    }

    /** The row as locked: what a change starts from. */
    private static final class Current {
        CertificateType ca;
        String serial;
        CertificateStatus status;
        Instant revokedAt;
        RevocationReason reason;
        Instant invalidityDate;
        long revision;
        String municipalityCode;
        Instant notAfter;
        int generation;
        String issuerKeyId;

        Next to(CertificateStatus status, Instant revokedAt, RevocationReason reason, Instant invalidityDate,
                CertificateEvent.Kind kind) {
            return new Next(status, revokedAt, reason, invalidityDate, kind);
        }

        CertificateStatusView view(boolean unchanged) {
            return new CertificateStatusView(ca, serial, generation, status.name(), revokedAt, reason, invalidityDate,
                    unchanged);
        }
    }

    private record Next(CertificateStatus status, Instant revokedAt, RevocationReason reason, Instant invalidityDate,
                        CertificateEvent.Kind kind) {
    }

    /** Decides the next state from the locked row, or null for "nothing changes". */
    private interface Decision {
        Next decide(Current current);
    }

    /** What one status change committed: the view to answer with, and the change (null when there was none). */
    private record Changed(CertificateStatusView view, Next next) {
    }

    private CertificateStatusView change(CertificateType ca, String serial, String municipalityCode, Instant now,
                                         Decision decision) {
        Changed changed = JdbcTransactions.inTransaction(dataSource, connection -> {
            Current current = lock(connection, ca, serial);
            if (current == null || (municipalityCode != null && !municipalityCode.equals(current.municipalityCode))) {
                throw new CaException(Kind.NOT_FOUND, "No " + ca.name().toLowerCase(Locale.ROOT)
                        + " certificate " + serial + " for this municipality.");
            }
            Next next = decision.decide(current);
            if (next == null) {
                return new Changed(current.view(true), null); // nothing written: the status of record
            }
            update(connection, current, next);
            current.status = next.status();
            current.revokedAt = next.revokedAt();
            current.reason = next.reason();
            current.invalidityDate = next.invalidityDate();
            current.revision++;
            outbox.append(connection, List.of(event(current, next.kind(), now)), now);
            audit.append(connection, municipalityCode == null ? "operator" : "municipality " + municipalityCode,
                    "certificate." + next.kind().name().toLowerCase(Locale.ROOT), ca + " " + serial,
                    "reason=" + next.reason().rfcName() + ", generation=" + current.generation + ", revision="
                            + current.revision);
            return new Changed(current.view(false), next);
        }, e -> new CaException(Kind.INVENTORY_UNAVAILABLE, "The certificate inventory cannot be written", e));
        Next next = changed.next();
        if (next != null) {
            outbox.committed();
            Counter.builder("inkan.ca.revocations").description("Committed status changes: revoked, held, reason-changed, hold-released")
                    .tags("ca", ca.name().toLowerCase(Locale.ROOT),
                            "change", next.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .register(meters).increment();
            LOG.infof("%s certificate %s: %s (%s)", ca, serial, next.kind(), next.reason().rfcName());
        }
        return changed.view();
    }

    private static Current lock(Connection connection, CertificateType ca, String serial) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("""
                select c.status, c.revoked_at, c.revocation_reason, c.invalidity_date, c.revision,
                       c.municipality_code, c.not_after, g.generation, g.subject_key_identifier
                from issued_certificate c join ca_key_generation g on g.id = c.key_generation_id
                where c.ca = ? and c.serial = ? for update of c""")) {
            query.setString(1, ca.name());
            query.setString(2, serial);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                Current current = new Current();
                current.ca = ca;
                current.serial = serial;
                current.status = CertificateStatus.valueOf(row.getString(1));
                current.revokedAt = instant(row.getObject(2, OffsetDateTime.class));
                String reason = row.getString(3);
                current.reason = reason == null ? null : RevocationReason.byName(reason).orElseThrow();
                current.invalidityDate = instant(row.getObject(4, OffsetDateTime.class));
                current.revision = row.getLong(5);
                current.municipalityCode = row.getString(6);
                current.notAfter = row.getObject(7, OffsetDateTime.class).toInstant();
                current.generation = row.getInt(8);
                current.issuerKeyId = HexFormat.of().formatHex(row.getBytes(9));
                return current;
            }
        }
    }

    private static void update(Connection connection, Current current, Next next) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("""
                update issued_certificate set status = ?, revoked_at = ?, revocation_reason = ?, invalidity_date = ?,
                    revision = revision + 1
                where ca = ? and serial = ?""")) {
            update.setString(1, next.status().name());
            update.setObject(2, offset(next.revokedAt()));
            update.setString(3, next.reason() == null ? null : next.reason().rfcName());
            update.setObject(4, offset(next.invalidityDate()));
            update.setString(5, current.ca.name());
            update.setString(6, current.serial);
            update.executeUpdate();
        }
    }

    private static CertificateEvent event(Current c, CertificateEvent.Kind kind, Instant now) {
        return new CertificateEvent(CertificateEvent.SCHEMA, UUID.randomUUID().toString(), kind, c.revision, c.ca,
                c.generation, c.issuerKeyId, c.serial, c.municipalityCode, c.notAfter, c.status.name(), c.revokedAt,
                c.reason, c.invalidityDate, now);
    }

    /** Every bad field at once; the serial normalised. */
    private static String checked(String serial, RevocationRequest request, Instant now, boolean revocation) {
        List<FieldError> errors = new java.util.ArrayList<>();
        String hex = serial == null ? "" : serial.toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
        if (!SERIAL.matcher(hex).matches()) {
            errors.add(new FieldError("serial", "must be 1 to 40 hex digits"));
        }
        if (request == null) {
            throw new CaException(Kind.INVALID_REQUEST, "The request has no body.",
                    List.of(new FieldError("body", "is required")));
        }
        if (request.municipalityCode() == null) {
            errors.add(new FieldError("municipalityCode", "is required"));
        } else {
            LocalGovernmentCode.problemWith(request.municipalityCode())
                    .ifPresent(problem -> errors.add(new FieldError("municipalityCode", problem)));
        }
        if (revocation) {
            if (request.reason() == null) {
                errors.add(new FieldError("reason", "is required (unspecified, keyCompromise, affiliationChanged, "
                        + "superseded, cessationOfOperation)"));
            } else if (!request.reason().isRevocation()) {
                errors.add(new FieldError("reason", "must be a revocation reason; holds have their own call"));
            }
            if (request.invalidityDate() != null && seconds(request.invalidityDate()).isAfter(now)) {
                errors.add(new FieldError("invalidityDate", "must not be in the future"));
            }
        }
        if (!errors.isEmpty()) {
            throw new CaException(Kind.INVALID_REQUEST, "The revocation request has " + errors.size()
                    + " invalid field(s).", errors);
        }
        return hex;
    }

    private static String normalised(String serial) {
        String hex = serial == null ? "" : serial.toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
        if (!SERIAL.matcher(hex).matches()) {
            throw new CaException(Kind.INVALID_REQUEST, "Invalid serial.",
                    List.of(new FieldError("serial", "must be 1 to 40 hex digits")));
        }
        return hex;
    }

    /** Whole seconds: CRLs and OCSP responses carry no fractions, and the record says what they say. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static Instant seconds(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
