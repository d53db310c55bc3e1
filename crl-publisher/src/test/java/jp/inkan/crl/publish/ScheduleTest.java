package jp.inkan.crl.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import javax.sql.DataSource;
import jp.inkan.common.CertificateType;
import jp.inkan.crl.store.CrlStore;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.junit.jupiter.api.Test;

/** The scheduled check (the scheduler itself is off in tests; its tick is called directly). */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class ScheduleTest {

    static final String SHINJUKU = "131041";

    @Inject
    Schedule schedule;

    @Inject
    Publisher publisher;

    @Inject
    CrlStore store;

    @Inject
    DataSource db;

    @Test
    void aScopeDueGetsACompleteCrlThenItsDeltaAndIsNotDueAgainRightAfter() throws Exception {
        publisher.refresh();
        CrlStore.Scope scope = store.scopes().stream().filter(s -> s.ca() == CertificateType.SIGNATURE
                && s.generation() == 1 && s.partition().equals(SHINJUKU)).findFirst().orElseThrow();
        // As if its last CRLs were two days old.
        try (Connection c = db.getConnection(); PreparedStatement age = c.prepareStatement("""
                update crl_scope set complete_allocated_at = now() - interval '2 days',
                    delta_allocated_at = now() - interval '2 days' where id = ?""")) {
            age.setLong(1, scope.id());
            age.executeUpdate();
        }
        schedule.tick();
        X509CRLHolder complete = Crls.parse(Crls.fetch("/crl/signature/g01/" + SHINJUKU + ".crl"));
        X509CRLHolder delta = Crls.parse(Crls.fetch("/crl/signature/g01/" + SHINJUKU + "-delta.crl"));
        BigInteger base = Crls.number(complete);
        assertEquals(base, ASN1Integer.getInstance(delta.getExtension(Extension.deltaCRLIndicator).getParsedValue()).getValue(),
                "the delta served right after a complete CRL builds on it");
        assertEquals(base.add(BigInteger.ONE), Crls.number(delta));
        assertTrue(complete.getNextUpdate().getTime() - complete.getThisUpdate().getTime() == (24 + 12) * 3600_000L,
                "complete-every + complete-overlap");
        assertTrue(delta.getNextUpdate().getTime() - delta.getThisUpdate().getTime() == 15 * 60_000L,
                "delta-every + delta-overlap");

        schedule.tick();
        assertEquals(base.add(BigInteger.ONE), Crls.number(Crls.parse(Crls.fetch("/crl/signature/g01/" + SHINJUKU + "-delta.crl"))),
                "nothing is due a moment later");
        assertEquals(base, Crls.number(Crls.parse(Crls.fetch("/crl/signature/g01/" + SHINJUKU + ".crl"))));
    }
}
