package jp.inkan.ca.authority;

import jp.inkan.testing.LocalEnv;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.testing.ExternalTool;
import jp.inkan.ca.testing.LocalInfrastructure;
import jp.inkan.common.CertificateType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@QuarkusTest
class CaBootstrapTest {

    @Inject
    CaBootstrap bootstrap;

    @Inject
    KeyGenerations generations;

    @Test
    void createsTwoDistinctSelfSignedRootsAsGeneration01() throws Exception {
        List<KeyGeneration> all = generations.all();
        assertEquals(2, all.size());
        KeyGeneration signature = all.stream().filter(g -> g.ca() == CertificateType.SIGNATURE).findFirst().orElseThrow();
        KeyGeneration authentication = all.stream().filter(g -> g.ca() == CertificateType.AUTHENTICATION).findFirst().orElseThrow();
        assertEquals("01", signature.label());
        assertEquals("01", authentication.label());
        assertFalse(Arrays.equals(signature.subjectKeyIdentifier(), authentication.subjectKeyIdentifier()));

        for (KeyGeneration generation : all) {
            X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(generation.certificateDer()));
            root.verify(root.getPublicKey());
            assertEquals(root.getSubjectX500Principal(), root.getIssuerX500Principal());
            assertEquals(Integer.MAX_VALUE, root.getBasicConstraints());
            assertTrue(root.getCriticalExtensionOIDs().containsAll(List.of("2.5.29.19", "2.5.29.15")));
            assertTrue(root.getKeyUsage()[5] && root.getKeyUsage()[6], "keyCertSign and cRLSign");
            assertEquals(2048, ((java.security.interfaces.RSAPublicKey) root.getPublicKey()).getModulus().bitLength());
            // SKI in the certificate is the one recorded to tell generations apart
            byte[] skiExtension = root.getExtensionValue("2.5.29.14");
            byte[] ski = Arrays.copyOfRange(skiExtension, skiExtension.length - 20, skiExtension.length);
            assertArrayEquals(ski, generation.subjectKeyIdentifier());
        }
        assertEquals("C=JP,O=JPKI-TEST,OU=JPKI for digital signature,OU=Japan Agency for Local Authority Information Systems",
                signature.subjectDn());
        assertEquals("C=JP,O=JPKI-TEST,OU=JPKI for user authentication,OU=Japan Agency for Local Authority Information Systems",
                authentication.subjectDn());
    }

    @Test
    void runningItAgainChangesNothing() {
        List<KeyGeneration> before = generations.all();
        List<KeyGeneration> again = bootstrap.bootstrap("test");
        assertEquals(before.stream().map(KeyGeneration::id).sorted().toList(),
                again.stream().map(KeyGeneration::id).sorted().toList());
        assertEquals(2, generations.all().size());
    }

    @Test
    void rootsAreAcceptedByOpenSsl(@TempDir Path dir) throws Exception {
        for (KeyGeneration generation : generations.all()) {
            Path root = dir.resolve("root.pem");
            Files.writeString(root, X509Encoder.pem(generation.certificateDer()));
            ExternalTool.Result result = ExternalTool.run("openssl", "verify", "-x509_strict", "-check_ss_sig",
                    "-CAfile", root.toString(), root.toString());
            assertEquals(0, result.exitCode(), result.output());
            ExternalTool.Result text = ExternalTool.run("openssl", "x509", "-in", root.toString(), "-noout", "-text");
            assertTrue(text.output().contains("CA:TRUE"), text.output());
            assertTrue(text.output().contains("Certificate Sign, CRL Sign"), text.output());
        }
    }

    @Test
    void caKeysLiveInTheTokenSensitiveAndNeverExtractable() {
        Map<String, String> env = LocalEnv.env();
        ExternalTool.Result objects = ExternalTool.run("pkcs11-tool", "--module", env.get("INKAN_HSM_LIBRARY"),
                "--slot", env.get("INKAN_HSM_TEST_SLOT"), "--login", "--pin", env.get("INKAN_HSM_PIN"),
                "--list-objects", "--type", "privkey");
        assertEquals(0, objects.exitCode(), objects.output());
        for (KeyGeneration generation : generations.all()) {
            // SunPKCS11 names a key entry by its CKA_ID (the alias bytes)
            String id = java.util.HexFormat.of().formatHex(generation.keyAlias().getBytes());
            int at = objects.output().indexOf("ID:         " + id);
            assertTrue(at >= 0, "key " + generation.keyAlias() + " in the token:\n" + objects.output());
            String entry = objects.output().substring(at);
            int next = entry.indexOf("Private Key Object", 1);
            entry = next > 0 ? entry.substring(0, next) : entry;
            assertTrue(entry.contains("sensitive") && entry.contains("never extractable"), entry);
            assertTrue(entry.contains("Usage:      sign") && !entry.contains("decrypt"), "a CA key only signs: " + entry);
        }
    }
}
