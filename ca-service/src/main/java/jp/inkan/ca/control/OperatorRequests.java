package jp.inkan.ca.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.authority.CaBootstrap;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyRotation;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.error.CaException.FieldError;
import jp.inkan.ca.error.CaException.Kind;
import jp.inkan.common.jdbc.JdbcTransactions;
import jp.inkan.ca.revocation.RevocationService;
import jp.inkan.common.CertificateType;
import org.jboss.logging.Logger;

/**
 * Dual control: rotation, retirement, CA bootstrap and hold release are asked for by one operator,
 * approved by others, and executed only while at least {@code approvals-required} distinct operators
 * (the requester is one) have approved and the request has not expired. Every step and every
 * refusal goes to the audit trail.
 */
@ApplicationScoped
public class OperatorRequests {

    private static final Logger LOG = Logger.getLogger(OperatorRequests.class);

    public enum Action { ROTATE, RETIRE, BOOTSTRAP, RELEASE_HOLD }

    /** What an operator asks for; which fields matter depends on the action. */
    public record Ask(Action action, CertificateType ca, Integer generation, String serial, Instant switchAt) {
    }

    public record Request(long id, Action action, CertificateType ca, Integer generation, String serial,
                          Instant switchAt, String requestedBy, Instant requestedAt, Instant expiresAt,
                          List<String> approvedBy, int approvalsRequired, String executedBy, Instant executedAt,
                          String outcome) {
    }

    private final DataSource dataSource;
    private final AuditLog audit;
    private final KeyRotation rotation;
    private final CaBootstrap bootstrap;
    private final RevocationService revocation;
    private final CaConfig config;
    private final Clock clock;

    public OperatorRequests(DataSource dataSource, AuditLog audit, KeyRotation rotation, CaBootstrap bootstrap,
                            RevocationService revocation, CaConfig config, Clock clock) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.rotation = rotation;
        this.bootstrap = bootstrap;
        this.revocation = revocation;
        this.config = config;
        this.clock = clock;
    }

    public Request request(String operator, Ask ask) {
        check(ask);
        Instant now = clock.instant();
        return inTransaction(c -> {
            long id;
            try (PreparedStatement insert = c.prepareStatement("""
                    insert into operator_request (action, ca, generation, serial, switch_at, requested_by,
                        requested_at, expires_at) values (?, ?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, ask.action().name());
                insert.setString(2, ask.ca() == null ? null : ask.ca().name());
                insert.setObject(3, ask.generation());
                insert.setString(4, ask.serial());
                insert.setObject(5, ask.switchAt() == null ? null : ask.switchAt().atOffset(ZoneOffset.UTC));
                insert.setString(6, operator);
                insert.setObject(7, now.atOffset(ZoneOffset.UTC));
                insert.setObject(8, now.plus(config.operators().requestTtl()).atOffset(ZoneOffset.UTC));
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            approve(c, id, operator, now);
            audit.append(c, operator, "operator.requested", "request " + id, describe(ask));
            return find(c, id);
        });
    }

    public Request approve(String operator, long id) {
        Instant now = clock.instant();
        return inTransaction(c -> {
            Request request = lock(c, id);
            String refusal = null;
            if (request.executedAt() != null) {
                refusal = "Request " + id + " was already executed.";
            } else if (!now.isBefore(request.expiresAt())) {
                refusal = "Request " + id + " expired at " + request.expiresAt() + ".";
            } else if (request.approvedBy().contains(operator)) {
                refusal = "Operator " + operator + " already approved request " + id
                        + "; another operator must approve.";
            }
            if (refusal != null) {
                c.rollback();
                refused(operator, "operator.approval-refused", id, refusal);
                throw new CaException(request.executedAt() == null && !now.isBefore(request.expiresAt())
                        ? Kind.REQUEST_EXPIRED : Kind.REQUEST_CLOSED, refusal);
            }
            approve(c, id, operator, now);
            audit.append(c, operator, "operator.approved", "request " + id, describe(request));
            return find(c, id);
        });
    }

    public List<Request> list() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("select id from operator_request order by id");
             ResultSet rows = query.executeQuery()) {
            List<Request> out = new ArrayList<>();
            while (rows.next()) {
                out.add(find(c, rows.getLong(1)));
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * Claims the request (approved by enough distinct operators, not expired, not executed) in one
     * transaction, runs the action outside it, and records the outcome; a failed action gives the
     * claim back so the same approvals can be used again before expiry.
     */
    public Request execute(String operator, long id) {
        Instant now = clock.instant();
        Request request = inTransaction(c -> {
            Request claimed = lock(c, id);
            String refusal = null;
            Kind kind = null;
            if (claimed.executedAt() != null) {
                refusal = "Request " + id + " was already executed by " + claimed.executedBy() + ".";
                kind = Kind.REQUEST_CLOSED;
            } else if (!now.isBefore(claimed.expiresAt())) {
                refusal = "Request " + id + " expired at " + claimed.expiresAt() + "; its approvals cannot be used.";
                kind = Kind.REQUEST_EXPIRED;
            } else if (claimed.approvedBy().size() < config.operators().approvalsRequired()) {
                refusal = "Request " + id + " has " + claimed.approvedBy().size() + " of the "
                        + config.operators().approvalsRequired() + " approvals by distinct operators it needs.";
                kind = Kind.APPROVALS_MISSING;
            }
            if (refusal != null) {
                c.rollback();
                refused(operator, "operator.execution-refused", id, refusal);
                throw new CaException(kind, refusal);
            }
            try (PreparedStatement claim = c.prepareStatement(
                    "update operator_request set executed_by = ?, executed_at = ? where id = ?")) {
                claim.setString(1, operator);
                claim.setObject(2, now.atOffset(ZoneOffset.UTC));
                claim.setLong(3, id);
                claim.executeUpdate();
            }
            return claimed;
        });
        String outcome;
        try {
            outcome = run(request, operator);
        } catch (RuntimeException e) {
            release(id);
            refused(operator, "operator.execution-failed", id, e.getMessage() == null ? e.toString() : e.getMessage());
            throw e;
        }
        Request executed = inTransaction(c -> {
            try (PreparedStatement done = c.prepareStatement("update operator_request set outcome = ? where id = ?")) {
                done.setString(1, outcome);
                done.setLong(2, id);
                done.executeUpdate();
            }
            audit.append(c, operator, "operator.executed", "request " + id, describe(request) + ", approvedBy="
                    + request.approvedBy() + ", outcome=" + outcome);
            return find(c, id);
        });
        LOG.infof("Operator request %d (%s) executed by %s, approved by %s: %s", id, request.action(), operator,
                request.approvedBy(), outcome);
        return executed;
    }

    private <T> T inTransaction(JdbcTransactions.Work<T> work) {
        return JdbcTransactions.inTransaction(dataSource, work, OperatorRequests::unavailable);
    }

    private String run(Request r, String operator) {
        return switch (r.action()) {
            case ROTATE -> {
                KeyGeneration g = rotation.rotate(r.ca(), r.switchAt(), operator);
                yield "generation " + g.label() + " (SKI " + g.keyId() + ") issues from " + g.issuingFrom();
            }
            case RETIRE -> {
                KeyGeneration g = rotation.retire(r.ca(), r.generation(), operator);
                yield "generation " + g.label() + " retired at " + g.retiredAt() + ", key destroyed";
            }
            case BOOTSTRAP -> "issuing generations: " + bootstrap.bootstrap(operator).stream()
                    .map(g -> g.ca() + " " + g.label()).toList();
            case RELEASE_HOLD -> {
                var view = revocation.releaseHold(r.ca(), r.serial());
                yield "certificate " + r.serial() + " is " + view.status();
            }
        };
    }

    private void check(Ask ask) {
        List<FieldError> errors = new ArrayList<>();
        if (ask == null || ask.action() == null) {
            throw new CaException(Kind.INVALID_REQUEST, "The request names no action.",
                    List.of(new FieldError("action", "is required (ROTATE, RETIRE, BOOTSTRAP, RELEASE_HOLD)")));
        }
        if (ask.action() != Action.BOOTSTRAP && ask.ca() == null) {
            errors.add(new FieldError("ca", "is required (SIGNATURE, AUTHENTICATION)"));
        }
        if (ask.action() == Action.ROTATE && ask.switchAt() == null) {
            errors.add(new FieldError("switchAt", "is required: when the new generation starts issuing"));
        }
        if (ask.action() == Action.RETIRE && (ask.generation() == null || ask.generation() < 1 || ask.generation() > 99)) {
            errors.add(new FieldError("generation", "is required (1 to 99)"));
        }
        if (ask.action() == Action.RELEASE_HOLD
                && (ask.serial() == null || !ask.serial().toLowerCase(Locale.ROOT).matches("[0-9a-f]{1,40}"))) {
            errors.add(new FieldError("serial", "is required (1 to 40 hex digits)"));
        }
        if (!errors.isEmpty()) {
            throw new CaException(Kind.INVALID_REQUEST, "The operator request has " + errors.size()
                    + " invalid field(s).", errors);
        }
    }

    private void refused(String operator, String action, long id, String why) {
        try {
            audit.record(operator, action, "request " + id, why);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not audit a refusal of request %d", id);
        }
    }

    private void release(long id) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement undo = c.prepareStatement(
                     "update operator_request set executed_by = null, executed_at = null where id = ? and outcome is null")) {
            undo.setLong(1, id);
            undo.executeUpdate();
        } catch (SQLException e) {
            LOG.errorf(e, "Could not release the claim on request %d", id);
        }
    }

    private static void approve(Connection c, long id, String operator, Instant now) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "insert into operator_approval (request_id, operator, approved_at) values (?, ?, ?)")) {
            insert.setLong(1, id);
            insert.setString(2, operator);
            insert.setObject(3, now.atOffset(ZoneOffset.UTC));
            insert.executeUpdate();
        }
    }

    private Request lock(Connection c, long id) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select id from operator_request where id = ? for update")) {
            lock.setLong(1, id);
            try (ResultSet row = lock.executeQuery()) {
                if (!row.next()) {
                    throw new CaException(Kind.NOT_FOUND, "No operator request " + id + ".");
                }
            }
        }
        return find(c, id);
    }

    private Request find(Connection c, long id) throws SQLException {
        Set<String> approvers = new TreeSet<>();
        try (PreparedStatement query = c.prepareStatement(
                "select operator from operator_approval where request_id = ? order by approved_at")) {
            query.setLong(1, id);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    approvers.add(rows.getString(1));
                }
            }
        }
        try (PreparedStatement query = c.prepareStatement("""
                select action, ca, generation, serial, switch_at, requested_by, requested_at, expires_at, executed_by,
                       executed_at, outcome from operator_request where id = ?""")) {
            query.setLong(1, id);
            try (ResultSet r = query.executeQuery()) {
                if (!r.next()) {
                    throw new CaException(Kind.NOT_FOUND, "No operator request " + id + ".");
                }
                return new Request(id, Action.valueOf(r.getString(1)),
                        r.getString(2) == null ? null : CertificateType.valueOf(r.getString(2)),
                        (Integer) r.getObject(3), r.getString(4), instant(r.getObject(5, OffsetDateTime.class)),
                        r.getString(6), instant(r.getObject(7, OffsetDateTime.class)),
                        instant(r.getObject(8, OffsetDateTime.class)), List.copyOf(approvers),
                        config.operators().approvalsRequired(), r.getString(9),
                        instant(r.getObject(10, OffsetDateTime.class)), r.getString(11));
            }
        }
    }

    private static String describe(Ask ask) {
        return "action=" + ask.action() + (ask.ca() == null ? "" : ", ca=" + ask.ca())
                + (ask.generation() == null ? "" : ", generation=" + ask.generation())
                + (ask.serial() == null ? "" : ", serial=" + ask.serial())
                + (ask.switchAt() == null ? "" : ", switchAt=" + ask.switchAt());
    }

    private static String describe(Request r) {
        return describe(new Ask(r.action(), r.ca(), r.generation(), r.serial(), r.switchAt()));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static CaException unavailable(SQLException e) {
        return new CaException(Kind.INVENTORY_UNAVAILABLE, "The operator requests cannot be read or written", e);
    }
}
