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
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.AuditChain;
import jp.inkan.registration.audit.AuditAnchoring;
import jp.inkan.registration.audit.AuditLog;
import jp.inkan.registration.ca.CaApi;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.junit.jupiter.api.Test;

/** registration-service's audit trail is hash-chained: a row changed behind the triggers' back is found. */
@QuarkusTest
class AuditChainTest {

    @Inject
    AuditLog audit;

    @Inject
    AgroalDataSource db;

    @Inject
    AuditAnchoring anchoring;

    @Inject
    @RestClient
    CaApi ca;

    @Test
    void aChainRewrittenWithEveryHashRecomputedIsCaughtByItsAnchorInCaService() throws Exception {
        // Other tests of this JVM may have broken earlier entries on purpose: look from here on.
        long first = audit.head().map(AuditAnchor::seq).orElse(0L) + 1;
        for (int i = 0; i < 4; i++) {
            audit.recordAlone(new AuditLog.Actor("CN=test", "131016"), AuditLog.Action.READ_APPLICATION,
                    AuditLog.Outcome.REFUSED, null, "anchor test " + i);
        }
        AuditAnchor anchored = anchoring.anchor().orElseThrow();
        assertTrue(anchored.anchoredAs() > 0, "recorded in ca-service's chain: " + anchored);
        assertEquals(List.of(), from(first, audit.verify(ca.anchors())), "intact and matching its anchors");
        audit.recordAlone(new AuditLog.Actor("CN=test", "131016"), AuditLog.Action.READ_APPLICATION,
                AuditLog.Outcome.REFUSED, null, "after the anchor");

        // The database owner changes an anchored entry and recomputes every hash from there on.
        long target = anchored.seq() - 1;
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("alter table audit_event disable trigger audit_event_no_change");
            try {
                s.executeUpdate("update audit_event set outcome = 'ACCEPTED' where seq = " + target);
                byte[] prev;
                try (ResultSet row = s.executeQuery("select entry_hash from audit_event where seq = " + (target - 1))) {
                    prev = row.next() ? row.getBytes(1) : AuditChain.GENESIS;
                }
                try (ResultSet row = s.executeQuery("select seq, at, actor, municipality_code, action, outcome, "
                        + "application_id, detail from audit_event where seq >= " + target + " order by seq");
                     PreparedStatement rewrite = c.prepareStatement(
                             "update audit_event set prev_hash = ?, entry_hash = ? where seq = ?")) {
                    while (row.next()) {
                        String municipality = row.getString(4);
                        String application = row.getString(7);
                        byte[] hash = AuditChain.hash(row.getLong(1), row.getObject(2, OffsetDateTime.class).toInstant(),
                                row.getString(3), row.getString(5) + "/" + row.getString(6),
                                (municipality == null ? "" : municipality) + "/" + (application == null ? "" : application),
                                row.getString(8), prev);
                        rewrite.setBytes(1, prev);
                        rewrite.setBytes(2, hash);
                        rewrite.setLong(3, row.getLong(1));
                        rewrite.executeUpdate();
                        prev = hash;
                    }
                }
            } finally {
                s.execute("alter table audit_event enable trigger audit_event_no_change");
            }
        }
        assertEquals(List.of(), from(first, audit.verify()), "the chain alone cannot tell a consistent rewrite");
        List<AuditChain.Break> breaks = from(first, audit.verify(ca.anchors()));
        assertEquals(1, breaks.size(), breaks.toString());
        assertEquals(anchored.seq(), breaks.get(0).seq());
        assertTrue(breaks.get(0).problem().contains("anchored in ca-service: rewritten"), breaks.toString());
    }

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

    private static List<AuditChain.Break> from(long seq, List<AuditChain.Break> breaks) {
        return breaks.stream().filter(b -> b.seq() >= seq).toList();
    }
}
