package jp.inkan.ca.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.security.Signature;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import jp.inkan.ca.issuance.KeyType;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.LocalEnv;
import org.junit.jupiter.api.Test;

/**
 * A CA key's life on the real token: two keys stored (two generations of one CA), one destroyed
 * and its alias used again. What the key store says is checked against what pkcs11-tool finds.
 */
@QuarkusTest
class KeyLifecycleTest {

    static final String KEPT = "lifecycle-test-g01";
    static final String ROTATED = "lifecycle-test-g02";

    @Inject
    Pkcs11CryptoToken token;

    CryptoToken.StoredKey generateAndStore(String alias) {
        return token.generate(KeyType.RSA_2048, alias);
    }

    /** The token's objects as pkcs11-tool lists them, one block per object. */
    static List<String> objects() {
        Map<String, String> env = LocalEnv.env();
        ExternalTool.Result listed = ExternalTool.run("pkcs11-tool", "--module", env.get("INKAN_HSM_LIBRARY"),
                "--slot", env.get("INKAN_HSM_TEST_SLOT"), "--login", "--pin", env.get("INKAN_HSM_PIN"), "--list-objects");
        assertEquals(0, listed.exitCode(), listed.output());
        return List.of(listed.output().split("\n(?=\\S)"));
    }

    /** Objects that carry {@code alias} as their label or id (SunPKCS11 sets both to the alias). */
    static List<String> objectsOf(String alias) {
        String id = "ID:         " + HexFormat.of().formatHex(alias.getBytes());
        return objects().stream().filter(o -> o.contains("label:      " + alias + "\n") || o.contains(id)).toList();
    }

    static long publicKeyObjects() {
        return objects().stream().filter(o -> o.startsWith("Public Key Object")).count();
    }

    void verifies(CryptoToken.StoredKey key) throws Exception {
        byte[] data = "lifecycle".getBytes();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(key.publicKey());
        verifier.update(data);
        assertTrue(verifier.verify(token.sign(key.alias(), SigningAlgorithm.SHA256_WITH_RSA, data)), key.alias());
    }

    @Test
    void aDestroyedKeyLeavesNothingUnderItsAliasAndTheAliasCanBeUsedAgain() throws Exception {
        token.destroy(KEPT);
        token.destroy(ROTATED);
        long publicKeysBefore = publicKeyObjects();

        verifies(generateAndStore(KEPT));
        verifies(generateAndStore(ROTATED));
        List<String> stored = objectsOf(ROTATED);
        assertEquals(2, stored.size(), "a private key and the certificate that names it: " + stored);
        // SunPKCS11 (25, not 17) keeps on delete a certificate that another one names as issuer, as
        // every CA root would be for the next generation's: the token's certificate names the key alone.
        assertTrue(stored.stream().anyMatch(o -> o.contains("subject:    DN: CN=" + ROTATED + "\n")), stored.toString());

        assertTrue(token.destroy(ROTATED));
        assertEquals(List.of(), objectsOf(ROTATED));
        assertTrue(token.find(ROTATED).isEmpty());
        assertFalse(token.destroy(ROTATED), "nothing left to destroy");

        CryptoToken.StoredKey again = generateAndStore(ROTATED);
        verifies(again);
        assertEquals(2, objectsOf(ROTATED).size(), objectsOf(ROTATED).toString());
        // A freshly opened provider reads the same entries from the token.
        HsmSessionLossTest.closeAllSessions(token.currentProvider());
        token.probe();
        assertEquals(again.publicKey(), token.find(ROTATED).orElseThrow().publicKey());
        verifies(again);
        assertTrue(token.find(KEPT).isPresent());

        assertTrue(token.destroy(ROTATED));
        assertTrue(token.destroy(KEPT));
        assertEquals(List.of(), objectsOf(ROTATED));
        assertEquals(List.of(), objectsOf(KEPT));
        // Generated public keys are session objects: the certificate beside the key carries it.
        assertEquals(publicKeysBefore, publicKeyObjects(), "public key objects left on the token");
    }
}
