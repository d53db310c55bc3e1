package jp.inkan.ca.rotation;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import jp.inkan.ca.hsm.CryptoToken;
import jp.inkan.ca.testing.Api;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.testing.Csrs;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.LocalEnv;
import jp.inkan.testing.Pem;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Key rotation on the real token and database, through the operator API with dual control: a
 * rotation in the middle of concurrent issuance and revocation (zero failed requests), certificates
 * of both generations validated by openssl and Java PKIX against either root with the link
 * certificates, CRLs of both generations signed, the new generation's responder certificate,
 * retirement, and dual control's refusals. Own key aliases, so destroying keys touches no other test.
 */
@QuarkusTest
@TestProfile(KeyRotationTest.RotationProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeyRotationTest {

    public static class RotationProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "inkan.ca.signature.key-alias-prefix", "rotation-test-signature-ca",
                    "inkan.ca.authentication.key-alias-prefix", "rotation-test-authentication-ca",
                    "inkan.ca.operators.request-ttl", "PT6S",
                    "inkan.ca.revocation.hold-release-enabled", "true",
                    "inkan.ca.audit.seal-key-alias", "rotation-test-audit-seal");
        }
    }

    static final String ALICE = "operators/alice";
    static final String BOB = "operators/bob";
    static final String CAROL = "operators/carol";

    @Inject
    DataSource dataSource;

    @Inject
    CryptoToken token;

    static RequestSpecification as(String identity) {
        return Api.as(identity).contentType(ContentType.JSON);
    }

    static long ask(String operator, Map<String, Object> body) {
        return as(operator).body(body).post("/operator/v1/requests").then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    static JsonPath execute(String operator, long id) {
        return as(operator).post("/operator/v1/requests/" + id + "/execution").then().statusCode(200).extract().jsonPath();
    }

    static JsonPath issue(CertificateType type) {
        return Api.given().contentType(ContentType.JSON).body(Requests.typical(type, Csrs.freshRsa()))
                .post("/internal/v1/certificates").then().statusCode(201).extract().jsonPath();
    }

    static List<Map<String, Object>> generations() {
        return as(ALICE).get("/operator/v1/generations").then().statusCode(200).extract().jsonPath().getList("$");
    }

    @Test
    @Order(1)
    void oneOperatorAloneCannotAndAnExpiredApprovalCannotBeUsed() throws Exception {
        // Leftover keys of an earlier run would be adopted; the test wants fresh ones.
        for (String alias : List.of("rotation-test-signature-ca-g02", "rotation-test-authentication-ca-g02")) {
            token.destroy(alias);
        }
        Api.given().contentType(ContentType.JSON).body(Map.of("action", "BOOTSTRAP"))
                .post("/operator/v1/requests").then().statusCode(403);

        long rotation = ask(ALICE, Map.of("action", "ROTATE", "ca", "SIGNATURE", "switchAt", Instant.now().toString()));
        as(ALICE).post("/operator/v1/requests/" + rotation + "/execution").then().statusCode(409)
                .body("type", equalTo("urn:inkan:problem:approvals-missing"));
        as(ALICE).post("/operator/v1/requests/" + rotation + "/approval").then().statusCode(409)
                .body("type", equalTo("urn:inkan:problem:request-closed"));
        as(ALICE).post("/operator/v1/requests/" + rotation + "/execution").then().statusCode(409);
        assertEquals(2, generations().size(), "nothing rotated");

        // Approved by two, but not executed before expiry: the approvals are spent.
        String serial = issue(CertificateType.SIGNATURE).getString("serial");
        Api.given().contentType(ContentType.JSON).body(Map.of("municipalityCode", "131016"))
                .post("/internal/v1/cas/signature/certificates/" + serial + "/hold").then().statusCode(200);
        long release = ask(ALICE, Map.of("action", "RELEASE_HOLD", "ca", "SIGNATURE", "serial", serial));
        as(BOB).post("/operator/v1/requests/" + release + "/approval").then().statusCode(200)
                .body("approvedBy.size()", equalTo(2));
        Thread.sleep(6_500);
        as(ALICE).post("/operator/v1/requests/" + release + "/execution").then().statusCode(409)
                .body("type", equalTo("urn:inkan:problem:request-expired"));
        as(CAROL).post("/operator/v1/requests/" + release + "/approval").then().statusCode(409)
                .body("type", equalTo("urn:inkan:problem:request-expired"));
        as(BOB).post("/operator/v1/requests/" + rotation + "/execution").then().statusCode(409)
                .body("type", equalTo("urn:inkan:problem:request-expired"));
        assertEquals(2, generations().size(), "nothing rotated");
        Api.given().get("/internal/v1/cas/signature/certificates/" + serial).then().statusCode(200);

        // The same release with a fresh request and two operators in time, through the operator command.
        ExternalTool.Result asked = operatorCommand("bob", "request", "release-hold", "--ca", "signature", "--serial", serial);
        assertEquals(0, asked.exitCode(), asked.output());
        long again = JsonPath.from(asked.output().substring(asked.output().indexOf('{'))).getLong("id");
        ExternalTool.Result alone = operatorCommand("bob", "execute", Long.toString(again));
        assertEquals(1, alone.exitCode(), alone.output());
        assertTrue(alone.output().contains("approvals-missing"), alone.output());
        assertEquals(0, operatorCommand("carol", "approve", Long.toString(again)).exitCode());
        ExternalTool.Result executed = operatorCommand("carol", "execute", Long.toString(again));
        assertEquals(0, executed.exitCode(), executed.output());
        assertTrue(executed.output().contains("is VALID"), executed.output());
        as(ALICE).post("/operator/v1/requests/" + again + "/execution").then().statusCode(409)
                .body("type", equalTo("urn:inkan:problem:request-closed"));
        ExternalTool.Result list = operatorCommand("alice", "list");
        assertEquals(0, list.exitCode(), list.output());
        assertTrue(list.output().contains("RELEASE_HOLD"), list.output());
    }

    /** deploy/local/operator.sh against the ca-service under test. */
    static ExternalTool.Result operatorCommand(String operator, String... arguments) {
        List<String> command = new ArrayList<>(List.of("env", "INKAN_CA_URL=https://localhost:"
                + org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class),
                "INKAN_PKI_DIR=" + LocalEnv.pkiDir(), "bash", LocalEnv.repoDir().resolve("deploy/local/operator.sh").toString(),
                "--as", operator));
        command.addAll(List.of(arguments));
        return ExternalTool.run(command.toArray(String[]::new));
    }

    @Test
    @Order(2)
    void rotationDuringIssuanceAndRevocationLoadFailsNothingAndBothGenerationsValidate(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<Integer, List<String>> pemsByGeneration = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger requests = new AtomicInteger();
        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean revoker = t % 2 == 1;
            workers.add(load.submit(() -> {
                while (!stop.get()) {
                    try {
                        var issued = Api.given().contentType(ContentType.JSON)
                                .body(Requests.typical(CertificateType.SIGNATURE, Csrs.freshRsa()))
                                .post("/internal/v1/certificates").then().extract();
                        requests.incrementAndGet();
                        if (issued.statusCode() != 201) {
                            failures.add("issue " + issued.statusCode() + " " + issued.body().asString());
                            continue;
                        }
                        JsonPath json = issued.jsonPath();
                        if (revoker) {
                            var revoked = Api.given().contentType(ContentType.JSON)
                                    .body(Map.of("municipalityCode", "131016", "reason", "superseded"))
                                    .post("/internal/v1/cas/signature/certificates/" + json.getString("serial") + "/revocation")
                                    .then().extract();
                            requests.incrementAndGet();
                            if (revoked.statusCode() != 200) {
                                failures.add("revoke " + revoked.statusCode() + " " + revoked.body().asString());
                            }
                        } else {
                            pemsByGeneration.computeIfAbsent(json.getInt("keyGeneration"),
                                    g -> Collections.synchronizedList(new ArrayList<>())).add(json.getString("certificatePem"));
                        }
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        try {
            Thread.sleep(1_000);
            Instant switchAt = Instant.now().plusSeconds(4);
            long id = ask(ALICE, Map.of("action", "ROTATE", "ca", "SIGNATURE", "switchAt", switchAt.toString()));
            as(BOB).post("/operator/v1/requests/" + id + "/approval").then().statusCode(200);
            String outcome = execute(BOB, id).getString("outcome");
            assertTrue(outcome.startsWith("generation 02"), outcome);
            while (Instant.now().isBefore(switchAt.plusSeconds(2))) {
                Thread.sleep(200);
            }
        } finally {
            // A failed rotation must not leave the load running into the test classes after this one.
            stop.set(true);
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
            load.shutdown();
        }
        assertEquals(List.of(), List.copyOf(failures), "no request failed during the rotation");
        assertTrue(pemsByGeneration.containsKey(1) && pemsByGeneration.containsKey(2),
                "issued by both generations: " + pemsByGeneration.keySet() + " in " + requests.get() + " requests");

        List<Map<String, Object>> signature = generations().stream().filter(g -> "SIGNATURE".equals(g.get("ca"))).toList();
        assertEquals(2, signature.size());
        Map<String, Object> g1 = signature.get(0);
        Map<String, Object> g2 = signature.get(1);
        assertEquals("SUPERSEDED", g1.get("state"));
        assertEquals("ISSUING", g2.get("state"));
        X509Certificate root1 = Pem.certificate((String) g1.get("rootPem"));
        X509Certificate root2 = Pem.certificate((String) g2.get("rootPem"));
        assertEquals(root1.getSubjectX500Principal(), root2.getSubjectX500Principal(), "one subject DN for all generations");
        assertNotEquals(g1.get("subjectKeyIdentifier"), g2.get("subjectKeyIdentifier"));
        String links = Api.given().get("/internal/v1/cas/signature/links.pem").then().statusCode(200).extract().asString();
        assertEquals(2, Pem.certificates(links).size());
        assertEquals(links, g2.get("linkFromPreviousPem") + (String) g2.get("linkToPreviousPem"));

        Path root1File = Pem.write(dir, "root1.pem", (String) g1.get("rootPem"));
        Path root2File = Pem.write(dir, "root2.pem", (String) g2.get("rootPem"));
        Path linksFile = Pem.write(dir, "links.pem", links);
        X509Certificate old = Pem.certificate(pemsByGeneration.get(1).get(0));
        X509Certificate fresh = Pem.certificate(pemsByGeneration.get(2).get(0));
        Path oldFile = Pem.write(dir, "old.pem", pemsByGeneration.get(1).get(0));
        Path freshFile = Pem.write(dir, "fresh.pem", pemsByGeneration.get(2).get(0));
        for (Path root : List.of(root1File, root2File)) {
            for (Path leaf : List.of(oldFile, freshFile)) {
                ExternalTool.Result result = ExternalTool.run("openssl", "verify", "-x509_strict", "-CAfile", root.toString(),
                        "-untrusted", linksFile.toString(), leaf.toString());
                assertEquals(0, result.exitCode(), root.getFileName() + " / " + leaf.getFileName() + ": " + result.output());
            }
            // Without the link certificate only the certificate's own generation validates.
            ExternalTool.Result alone = ExternalTool.run("openssl", "verify", "-x509_strict", "-CAfile", root.toString(),
                    (root == root1File ? freshFile : oldFile).toString());
            assertNotEquals(0, alone.exitCode(), alone.output());
        }
        List<X509Certificate> linkCertificates = Pem.certificates(links);
        X509Certificate newWithOld = Pem.certificate((String) g2.get("linkFromPreviousPem"));
        X509Certificate oldWithNew = Pem.certificate((String) g2.get("linkToPreviousPem"));
        for (X509Certificate anchor : List.of(root1, root2)) {
            for (X509Certificate leaf : List.of(old, fresh)) {
                boolean direct = anchor.getPublicKey().equals(issuerKey(leaf, root1, root2));
                // The JDK's validator on the path a relying party is given: the leaf, plus the link
                // certifying its issuing key under the other generation's key.
                List<X509Certificate> path = direct ? List.of(leaf) : List.of(leaf, leaf == old ? oldWithNew : newWithOld);
                PKIXParameters validation = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
                validation.setRevocationEnabled(false);
                validation.setPolicyQualifiersRejected(false);
                CertPathValidator.getInstance("PKIX").validate(
                        CertificateFactory.getInstance("X.509").generateCertPath(path), validation);
                if (!direct) {
                    List<X509Certificate> wrong = List.of(leaf, leaf == old ? newWithOld : oldWithNew);
                    assertThrows(CertPathValidatorException.class, () -> CertPathValidator.getInstance("PKIX").validate(
                            CertificateFactory.getInstance("X.509").generateCertPath(wrong), validation));
                }
                // Path building from the links in a CertStore: Bouncy Castle's PKIX builder finds both
                // paths. (The JDK 17 SunCertPathBuilder does not: it loops between the two same-DN
                // links and never returns to the anchor; see README.)
                X509CertSelector target = new X509CertSelector();
                target.setCertificate(leaf);
                PKIXBuilderParameters parameters = new PKIXBuilderParameters(Set.of(new TrustAnchor(anchor, null)), target);
                parameters.setRevocationEnabled(false);
                parameters.setPolicyQualifiersRejected(false);
                parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(linkCertificates)));
                PKIXCertPathBuilderResult built = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX",
                        new org.bouncycastle.jce.provider.BouncyCastleProvider()).build(parameters);
                assertEquals(path, built.getCertPath().getCertificates());
            }
        }

        // Both generations sign CRLs after the switch; each verifies against its own root.
        for (int generation : List.of(1, 2)) {
            X509Certificate root = generation == 1 ? root1 : root2;
            X509CRLHolder crl = signedCrl(generation, root);
            Path crlFile = dir.resolve("g" + generation + ".crl");
            Files.write(crlFile, crl.getEncoded());
            ExternalTool.Result verified = ExternalTool.run("openssl", "crl", "-inform", "DER", "-in", crlFile.toString(),
                    "-noout", "-CAfile", (generation == 1 ? root1File : root2File).toString());
            assertEquals(0, verified.exitCode(), verified.output());
            assertTrue(verified.output().contains("verify OK"), verified.output());
        }

        // The new generation gets its delegated OCSP responder certificate, issued by its key.
        String responder = Api.as("ocsp-responder").contentType(ContentType.JSON)
                .body(Map.of("ca", "SIGNATURE", "keyGeneration", 2, "csrPem", Csrs.pem(Csrs.ecP256())))
                .post("/internal/v1/responder-certificates").then().statusCode(201).extract().jsonPath()
                .getString("certificatePem");
        Pem.certificate(responder).verify(root2.getPublicKey());
        ExternalTool.Result ocspSigner = ExternalTool.run("openssl", "verify", "-x509_strict", "-purpose", "ocsphelper",
                "-CAfile", root2File.toString(), Pem.write(dir, "responder.pem", responder).toString());
        assertEquals(0, ocspSigner.exitCode(), ocspSigner.output());
        List<Map<String, Object>> served = Api.as("ocsp-responder").get("/internal/v1/cas").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertEquals(2, served.stream().filter(g -> "SIGNATURE".equals(g.get("ca"))).count());
    }

    private static java.security.PublicKey issuerKey(X509Certificate leaf, X509Certificate... roots) throws Exception {
        for (X509Certificate root : roots) {
            try {
                leaf.verify(root.getPublicKey());
                return root.getPublicKey();
            } catch (java.security.SignatureException e) {
                // not this one
            }
        }
        throw new AssertionError("issued by neither root");
    }

    /** An empty CRL of one generation, its TBSCertList signed by ca-service as crl-publisher would have it. */
    private static X509CRLHolder signedCrl(int generation, X509Certificate root) throws Exception {
        Instant now = Instant.now();
        X509v2CRLBuilder builder = new X509v2CRLBuilder(X500Name.getInstance(root.getSubjectX500Principal().getEncoded()),
                java.util.Date.from(now));
        builder.setNextUpdate(java.util.Date.from(now.plus(Duration.ofDays(1))));
        builder.addExtension(Extension.cRLNumber, false, new org.bouncycastle.asn1.x509.CRLNumber(
                BigInteger.valueOf(now.toEpochMilli())));
        byte[] ski = org.bouncycastle.asn1.ASN1OctetString.getInstance(
                root.getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets();
        builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(ski).getOctets()));
        AlgorithmIdentifier algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withRSA");
        return builder.build(new ContentSigner() {
            final java.io.ByteArrayOutputStream tbs = new java.io.ByteArrayOutputStream();

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return algorithm;
            }

            @Override
            public java.io.OutputStream getOutputStream() {
                return tbs;
            }

            @Override
            public byte[] getSignature() {
                String signature = Api.as("crl-publisher").contentType("application/octet-stream").body(tbs.toByteArray())
                        .post("/internal/v1/cas/signature/generations/" + generation + "/crls").then().statusCode(200)
                        .extract().jsonPath().getString("signature");
                return Base64.getDecoder().decode(signature);
            }
        });
    }

    @Test
    @Order(3)
    void retirementWaitsForTheLastCertificateThenDestroysTheKeyInTheHsm() throws Exception {
        long early = ask(ALICE, Map.of("action", "RETIRE", "ca", "SIGNATURE", "generation", 1));
        as(CAROL).post("/operator/v1/requests/" + early + "/approval").then().statusCode(200);
        as(CAROL).post("/operator/v1/requests/" + early + "/execution").then().statusCode(409)
                .body("type", equalTo("urn:inkan:problem:rotation-conflict"));

        // The authentication CA's generation 01 issued nothing in this test's database: rotate, switch now, retire.
        long rotate = ask(BOB, Map.of("action", "ROTATE", "ca", "AUTHENTICATION", "switchAt", Instant.now().toString()));
        as(CAROL).post("/operator/v1/requests/" + rotate + "/approval").then().statusCode(200);
        execute(CAROL, rotate);
        assertEquals(2, issue(CertificateType.AUTHENTICATION).getInt("keyGeneration"));
        long retire = ask(ALICE, Map.of("action", "RETIRE", "ca", "AUTHENTICATION", "generation", 1));
        as(BOB).post("/operator/v1/requests/" + retire + "/approval").then().statusCode(200);
        assertTrue(execute(ALICE, retire).getString("outcome").contains("retired"));

        assertTrue(token.find("rotation-test-authentication-ca-g01").isEmpty(), "key gone from the token");
        Map<String, String> env = LocalEnv.env();
        ExternalTool.Result objects = ExternalTool.run("pkcs11-tool", "--module", env.get("INKAN_HSM_LIBRARY"),
                "--slot", env.get("INKAN_HSM_TEST_SLOT"), "--login", "--pin", env.get("INKAN_HSM_PIN"), "--list-objects");
        assertEquals(0, objects.exitCode(), objects.output());
        // Neither the key nor its root is left, though generation 02's root names that root's subject as issuer.
        String id = HexFormat.of().formatHex("rotation-test-authentication-ca-g01".getBytes());
        assertFalse(objects.output().contains("ID:         " + id + "\n"), objects.output());
        assertTrue(objects.output().contains(HexFormat.of().formatHex("rotation-test-authentication-ca-g02".getBytes())));
        Map<String, Object> retired = generations().stream()
                .filter(g -> "AUTHENTICATION".equals(g.get("ca")) && ((Integer) g.get("generation")) == 1).findFirst().orElseThrow();
        assertEquals("RETIRED", retired.get("state"));
        List<Map<String, Object>> served = Api.as("crl-publisher").get("/internal/v1/cas").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertTrue(served.stream().noneMatch(g -> "AUTHENTICATION".equals(g.get("ca")) && ((Integer) g.get("generation")) == 1),
                "a retired generation is no longer served: " + served);
        Api.as("crl-publisher").contentType("application/octet-stream").body(new byte[] {0x30, 0x00})
                .post("/internal/v1/cas/authentication/generations/1/crls").then().statusCode(404);
    }

    @Test
    @Order(4)
    void theAuditTrailRecordsItAllAndAnAlteredOrRemovedRowIsFound() throws Exception {
        as(ALICE).post("/operator/v1/audit/seal").then().statusCode(200);
        JsonPath intact = as(BOB).get("/operator/v1/audit/verification").then().statusCode(200).extract().jsonPath();
        assertTrue(intact.getBoolean("intact"), intact.prettify());
        assertTrue(intact.getLong("seals") >= 1);
        List<String> actions = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             var rows = s.executeQuery("select action from audit_log order by seq")) {
            while (rows.next()) {
                actions.add(rows.getString(1));
            }
        }
        for (String expected : List.of("service.started", "ca.bootstrapped", "operator.requested", "operator.approved",
                "operator.execution-refused", "operator.approval-refused", "operator.executed", "ca.rotated", "ca.retired",
                "ca.key-destroyed", "certificate.issued", "certificate.held", "certificate.revoked", "certificate.hold_released", "client.refused")) {
            assertTrue(actions.contains(expected), expected + " in " + actions);
        }

        long altered;
        long removed;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            var appendOnly = assertThrowsSql(() -> s.executeUpdate("update audit_log set detail = 'x' where seq = 3"));
            assertTrue(appendOnly.contains("append-only"), appendOnly);
            // Someone with the table owner's rights goes around the trigger.
            s.execute("alter table audit_log disable trigger audit_log_append_only");
            try {
                altered = 5;
                removed = 9;
                s.executeUpdate("update audit_log set detail = detail || ' (edited)' where seq = " + altered);
                s.executeUpdate("delete from audit_log where seq = " + removed);
            } finally {
                s.execute("alter table audit_log enable trigger audit_log_append_only");
            }
        }
        JsonPath broken = as(CAROL).get("/operator/v1/audit/verification").then().statusCode(200).extract().jsonPath();
        assertFalse(broken.getBoolean("intact"));
        List<Map<String, Object>> breaks = broken.getList("breaks");
        assertEquals(altered, ((Number) breaks.get(0).get("seq")).longValue(), broken.prettify());
        assertTrue(((String) breaks.get(0).get("problem")).contains("altered"), broken.prettify());
        assertTrue(breaks.stream().anyMatch(b -> ((Number) b.get("seq")).longValue() == removed
                && ((String) b.get("problem")).contains("missing")), broken.prettify());
    }

    private static String assertThrowsSql(org.junit.jupiter.api.function.Executable executable) {
        return org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, executable).getMessage();
    }
}
