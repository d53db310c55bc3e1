package jp.inkan.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.crl.audit.AuditTrail;
import jp.inkan.crl.testing.CrlInfrastructure;
import jp.inkan.crl.testing.Crls;
import jp.inkan.crl.testing.RelyingParties;
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.Test;

/**
 * crl-publisher's audit trail: start-up, operator trigger, publications and refused downloads
 * (aggregated per caller) are recorded, the head is anchored in the real ca-service, and a row
 * changed behind the triggers' back is reported at its number by the verification endpoint.
 */
@QuarkusTest
@QuarkusTestResource(value = CrlInfrastructure.class, restrictToAnnotatedClass = false)
class AuditTrailTest {

    @Inject
    DataSource db;

    @Inject
    AuditTrail trail;

    @Test
    void eventsAreAuditedAnchoredInCaServiceAndATamperedRowIsFoundWhereItIs() throws Exception {
        RestAssured.given().baseUri("http://127.0.0.1").port(Crls.managementPort()).header("Inkan-Operator", "alice")
                .post("/crl/publish?kind=complete&ca=signature").then().statusCode(200);
        Path dir = TempDirs.create("crl-audit");
        long started = System.nanoTime();
        while (!RelyingParties.curl(CrlAccessTest.AUTH_FULL, "stranger", dir.resolve("s")).equals("403")) { // 503 while loading
            assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "registry not loaded within 20 s");
            Thread.sleep(100);
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(401, Crls.get(CrlAccessTest.AUTH_FULL).statusCode());
        }
        trail.flushRefusals();

        List<String[]> entries = entries();
        assertTrue(entries.stream().anyMatch(e -> e[2].equals("service.started") && e[4].contains("authentication=MTLS")),
                "start-up configuration");
        assertTrue(entries.stream().anyMatch(e -> e[2].equals("crl.publication.requested") && e[1].startsWith("operator alice from ")
                && e[3].equals("signature")), "the operator's trigger, with who");
        assertTrue(entries.stream().anyMatch(e -> e[2].equals("crl.published") && e[3].equals("signature/g01/full complete")
                && e[4].matches("number \\d+, \\d+ entries, .*")), "each publication: scope, number, entries");
        String[] anonymous = entries.stream().filter(e -> e[2].equals("crl.download.refused") && e[1].equals("anonymous"))
                .reduce((a, b) -> b).orElseThrow();
        assertTrue(anonymous[4].matches("authentication CRL: no client certificate: ([3-9]|\\d\\d+) refused between .*"),
                "one entry per caller with a count: " + anonymous[4]);
        assertTrue(entries.stream().anyMatch(e -> e[2].equals("crl.download.refused") && e[1].equals("unregistered")));

        AuditAnchor anchored = trail.anchor().orElseThrow();
        JsonPath intact = verification();
        assertTrue(intact.getBoolean("intact"), intact.prettify());
        assertTrue(intact.getLong("anchors") >= 1, intact.prettify());
        assertEquals(anchored.seq(), intact.getLong("lastSeq"));

        long target = anchored.seq() - 2;
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.execute("alter table audit_log disable trigger audit_log_append_only");
            try {
                s.executeUpdate("update audit_log set detail = detail || ' (edited)' where seq = " + target);
            } finally {
                s.execute("alter table audit_log enable trigger audit_log_append_only");
            }
        }
        JsonPath broken = verification();
        assertFalse(broken.getBoolean("intact"));
        List<Map<String, Object>> breaks = broken.getList("breaks");
        assertEquals(1, breaks.size(), breaks.toString());
        assertEquals(target, ((Number) breaks.get(0).get("seq")).longValue());
        assertTrue(breaks.get(0).get("problem").toString().contains("altered"), breaks.toString());
    }

    private static JsonPath verification() {
        return RestAssured.given().baseUri("http://127.0.0.1").port(Crls.managementPort()).get("/admin/audit/verification")
                .then().statusCode(200).extract().jsonPath();
    }

    /** seq, actor, action, subject, detail of every entry. */
    private List<String[]> entries() throws Exception {
        List<String[]> entries = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet row = s.executeQuery("select seq, actor, action, subject, detail from audit_log order by seq")) {
            while (row.next()) {
                entries.add(new String[] {row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5)});
            }
        }
        return entries;
    }
}
