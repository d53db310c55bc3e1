package jp.inkan.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import jp.inkan.testing.LocalEnv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts the images run, run here for real on SoftHSM2: the token init (deploy/compose's
 * hsm-init service, k8s/'s hsm-token init containers) and the services' entry point.
 */
class ContainerScriptsTest {

    private static final Path REPO = ServiceConfig.repo();
    private static final String INIT_TOKENS = REPO.resolve("deploy/compose/init-tokens.sh").toString();
    private static final String ENTRYPOINT = REPO.resolve("deploy/compose/entrypoint.sh").toString();
    private static final String HSM_SLOT = REPO.resolve("deploy/local/hsm-slot.sh").toString();
    private static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";

    @Test
    void tokensAreInitialisedOnceAndTheEntryPointLogsIntoTheRightSlot(@TempDir Path temp) throws IOException {
        Files.writeString(temp.resolve("pin"), "4711-pin\n");
        Files.writeString(temp.resolve("so-pin"), "so-pin-0815\n");
        String ca = temp.resolve("tokens/ca") + ":inkan-ca:" + temp.resolve("pin") + ":" + temp.resolve("so-pin");
        String ocsp = temp.resolve("tokens/ocsp") + ":inkan-ocsp:" + temp.resolve("pin") + ":" + temp.resolve("so-pin");
        Map<String, String> env = Map.of("INKAN_HSM_SLOT_COMMAND", HSM_SLOT, "TMPDIR", temp.toString());

        var first = DeployFiles.run(env, "bash", INIT_TOKENS, ca, ocsp);
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("initialised token inkan-ca") && first.output().contains("initialised token inkan-ocsp"), first.output());
        var again = DeployFiles.run(env, "bash", INIT_TOKENS, ca, ocsp);
        assertEquals(0, again.exitCode(), again.output());
        assertTrue(again.output().contains("token inkan-ca in " + temp.resolve("tokens/ca") + " exists"), again.output());

        Path conf = temp.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + temp.resolve("tokens/ca") + "\nobjectstore.backend = file\n");
        var slots = DeployFiles.run(Map.of("SOFTHSM2_CONF", conf.toString()), "bash", HSM_SLOT, "inkan-ca");
        assertEquals(1, slots.output().strip().lines().count(), "one inkan-ca token after two runs: " + slots.output());
        assertTrue(DeployFiles.run(Map.of("SOFTHSM2_CONF", conf.toString()), "bash", HSM_SLOT, "inkan-ocsp").output().isBlank(),
                "the CA token directory holds no responder token");

        Files.writeString(temp.resolve("db-password"), "s3cret-db\n");
        Map<String, String> container = new HashMap<>(env);
        container.putAll(Map.of("SOFTHSM2_CONF", conf.toString(), "INKAN_HSM_TOKEN_LABEL", "inkan-ca",
                "INKAN_CA_DB_PASSWORD_FILE", temp.resolve("db-password").toString()));
        var started = DeployFiles.run(container, "bash", ENTRYPOINT, "env");
        assertEquals(0, started.exitCode(), started.output());
        String slot = slots.output().strip();
        assertTrue(started.output().lines().anyMatch(("INKAN_HSM_SLOT=" + slot)::equals), started.output());
        assertTrue(started.output().lines().anyMatch("INKAN_CA_DB_PASSWORD=s3cret-db"::equals), "password from its file");

        // The PIN the token was made with logs in on that slot (pkcs11-tool, OpenSC); another does not.
        Map<String, String> hsm = Map.of("SOFTHSM2_CONF", conf.toString());
        var login = DeployFiles.run(hsm, "pkcs11-tool", "--module", LIBRARY, "--slot", slot, "--login", "--pin", "4711-pin", "--list-objects");
        assertEquals(0, login.exitCode(), login.output());
        var wrong = DeployFiles.run(hsm, "pkcs11-tool", "--module", LIBRARY, "--slot", slot, "--login", "--pin", "0000-pin", "--list-objects");
        assertNotEquals(0, wrong.exitCode(), wrong.output());

        // An explicit slot (a real HSM's) is left alone.
        container.put("INKAN_HSM_SLOT", "7");
        assertTrue(DeployFiles.run(container, "bash", ENTRYPOINT, "env").output().lines().anyMatch("INKAN_HSM_SLOT=7"::equals));
    }

    @Test
    void theEntryPointRefusesToStartWithoutItsSecretsOrToken(@TempDir Path temp) throws IOException {
        var missing = DeployFiles.run(Map.of("INKAN_CA_DB_PASSWORD_FILE", temp.resolve("absent").toString()),
                "bash", ENTRYPOINT, "true");
        assertEquals(78, missing.exitCode());
        assertTrue(missing.output().contains("INKAN_CA_DB_PASSWORD_FILE names " + temp.resolve("absent")), missing.output());

        Files.writeString(temp.resolve("empty"), "");
        var empty = DeployFiles.run(Map.of("INKAN_CRL_DB_PASSWORD_FILE", temp.resolve("empty").toString()), "bash", ENTRYPOINT, "true");
        assertEquals(78, empty.exitCode(), empty.output());

        Path conf = temp.resolve("softhsm2.conf");
        Files.createDirectories(temp.resolve("tokens"));
        Files.writeString(conf, "directories.tokendir = " + temp.resolve("tokens") + "\n");
        var noToken = DeployFiles.run(Map.of("SOFTHSM2_CONF", conf.toString(), "INKAN_HSM_SLOT_COMMAND", HSM_SLOT,
                "INKAN_OCSP_HSM_TOKEN_LABEL", "inkan-ocsp"), "bash", ENTRYPOINT, "true");
        assertEquals(78, noToken.exitCode(), noToken.output());
        assertTrue(noToken.output().contains("no initialised token labelled 'inkan-ocsp'"), noToken.output());
    }

    @Test
    void theEntryPointFindsTheSameSlotsAsTheLocalInfrastructure() {
        Map<String, String> local = LocalEnv.env();
        var started = DeployFiles.run(Map.of("SOFTHSM2_CONF", local.get("SOFTHSM2_CONF"), "INKAN_HSM_SLOT_COMMAND", HSM_SLOT,
                "INKAN_HSM_TOKEN_LABEL", "inkan-ca-test", "INKAN_OCSP_HSM_TOKEN_LABEL", "inkan-ocsp-test"), "bash", ENTRYPOINT, "env");
        assertEquals(0, started.exitCode(), started.output());
        assertTrue(started.output().lines().anyMatch(("INKAN_HSM_SLOT=" + local.get("INKAN_HSM_TEST_SLOT"))::equals), started.output());
        assertTrue(started.output().lines().anyMatch(("INKAN_OCSP_HSM_SLOT=" + local.get("INKAN_OCSP_HSM_TEST_SLOT"))::equals), started.output());
    }
}
