package jp.inkan.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import jp.inkan.common.audit.AuditChain;
import jp.inkan.registration.audit.AuditLog;
import org.junit.jupiter.api.Test;

/** registration-service's audit trail is hash-chained: a row changed behind the triggers' back is found. */
@QuarkusTest
class AuditChainTest {

    @Inject
    AuditLog audit;

    @Inject
    AgroalDataSource db;

    @Test
    void entriesAreChainedAndATamperedRowIsFoundWhereItIs() throws Exception {
        for (int i = 0; i < 5; i++) {
            audit.recordAlone(new AuditLog.Actor("CN=test", "131016"), AuditLog.Action.READ_APPLICATION,
                    AuditLog.Outcome.REFUSED, null, "chain test " + i);
        }
        assertEquals(List.of(), audit.verify(), "intact before tampering");
        long target;
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet row = s.executeQuery("select max(seq) - 2 from audit_event where detail like 'chain test %'")) {
                row.next();
                target = row.getLong(1);
            }
            s.execute("alter table audit_event disable trigger audit_event_no_change");
            try {
                s.executeUpdate("update audit_event set outcome = 'ACCEPTED' where seq = " + target);
            } finally {
                s.execute("alter table audit_event enable trigger audit_event_no_change");
            }
        }
        List<AuditChain.Break> breaks = audit.verify();
        assertEquals(1, breaks.size(), breaks.toString());
        assertEquals(target, breaks.get(0).seq());
        assertTrue(breaks.get(0).problem().contains("altered"), breaks.toString());
    }
}
