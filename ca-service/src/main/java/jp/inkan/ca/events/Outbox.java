package jp.inkan.ca.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import jp.inkan.common.events.CertificateEvent;
import jp.inkan.common.jdbc.StatementPart;

/**
 * The transactional outbox: events are written on the caller's connection, inside the transaction
 * that changes the certificate, so an event exists exactly when its change committed. The
 * {@link OutboxRelay} publishes them.
 */
@ApplicationScoped
public class Outbox {

    private final ObjectMapper json;
    /** Released after commits that appended events, so the relay publishes without polling delay. */
    private final Semaphore appended = new Semaphore(0);

    public Outbox(ObjectMapper json) {
        this.json = json;
    }

    /** Inserts the events on {@code connection}; the caller commits (or rolls back) them with its change. */
    public void append(Connection connection, List<CertificateEvent> events, Instant now) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        StatementPart insert = insert(events, now);
        try (PreparedStatement statement = connection.prepareStatement(insert.sql())) {
            insert.bind(statement, 1);
            statement.executeUpdate();
        }
    }

    /** The insert of {@code events} (at least one), for a caller that sends it together with its change. */
    public StatementPart insert(List<CertificateEvent> events, Instant now) {
        List<String> payloads = events.stream().map(this::serialize).toList();
        return new StatementPart() {
            @Override
            public String sql() {
                return StatementPart.multiRowInsert("insert into outbox_event (event_key, payload, created_at) values",
                        "(?, ?, ?)", events.size());
            }

            @Override
            public int bind(PreparedStatement statement, int first) throws SQLException {
                int p = first;
                for (int i = 0; i < events.size(); i++) {
                    statement.setString(p++, events.get(i).key());
                    statement.setString(p++, payloads.get(i));
                    statement.setObject(p++, now.atOffset(ZoneOffset.UTC));
                }
                return p;
            }
        };
    }

    /** Call after the transaction holding appended events committed. */
    public void committed() {
        if (appended.availablePermits() == 0) {
            appended.release();
        }
    }

    /** Waits up to {@code millis} for a commit with new events; true if one came. */
    boolean awaitCommitted(long millis) throws InterruptedException {
        boolean signalled = appended.tryAcquire(millis, TimeUnit.MILLISECONDS);
        appended.drainPermits();
        return signalled;
    }

    private String serialize(CertificateEvent event) {
        try {
            return json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A certificate event cannot be serialised", e);
        }
    }
}
