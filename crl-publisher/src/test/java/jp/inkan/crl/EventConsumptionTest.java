package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.sql.DataSource;
import jp.inkan.common.CertificateType;
import jp.inkan.crl.events.EventConsumer;
import jp.inkan.crl.testing.Ca;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import org.junit.jupiter.api.Test;

/** The offsets that count are the ones PostgreSQL stored with the events they follow. */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class EventConsumptionTest {

    static final String CHIYODA = "131016";

    @Inject
    EventConsumer consumer;

    @Inject
    DataSource db;

    @Test
    void aRestartedConsumerResumesFromTheStoredOffsetsNotFromKafkasOrTheBeginning() throws Exception {
        Ca.Issued first = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        Ca.revoke(first, CHIYODA, "affiliationChanged", null);
        Crls.awaitStatus(db, first.serial(), "R");
        long storedBefore = storedOffsets();
        assertTrue(storedBefore >= 2, "issued and revoked events are behind the stored offsets: " + storedBefore);
        long received = consumer.received();

        // A new consumer group has no offsets in Kafka (auto.offset.reset=earliest would re-read the
        // whole topic); the consumer seeks to the stored ones instead and reads nothing again.
        consumer.restartInGroup("crl-publisher-restarted-" + System.nanoTime());
        Thread.sleep(4000);
        assertEquals(received, consumer.received(), "nothing was read twice after the restart");

        Ca.Issued second = Ca.issue(CertificateType.SIGNATURE, CHIYODA);
        Ca.hold(second, CHIYODA);
        Crls.awaitStatus(db, second.serial(), "H");
        assertEquals(received + 2, consumer.received(), "exactly the two new events (issued, held) were read");
        assertEquals(storedBefore + 2, storedOffsets());
    }

    private long storedOffsets() throws Exception {
        try (Connection c = db.getConnection();
             PreparedStatement select = c.prepareStatement("select coalesce(sum(next_offset), 0) from consumer_offset");
             ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
