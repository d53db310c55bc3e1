package jp.inkan.crl.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import jp.inkan.testing.ExternalTool;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.eclipse.microprofile.config.ConfigProvider;

/** Publishing, fetching and inspecting CRLs of the publisher under test. */
public final class Crls {

    private Crls() {
    }

    public static int httpPort() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    public static int managementPort() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    /** The operator trigger on the management port: publish every scope of {@code kind} now. */
    public static List<Map<String, Object>> publish(String kind) {
        return RestAssured.given().baseUri("http://127.0.0.1").port(managementPort())
                .post("/crl/publish?kind=" + kind).then().statusCode(200).extract().jsonPath().getList("$");
    }

    public static Response get(String path) {
        return RestAssured.given().baseUri("http://127.0.0.1").port(httpPort()).get(path);
    }

    public static byte[] fetch(String path) {
        Response response = get(path);
        assertTrue(response.statusCode() == 200, path + " answered " + response.statusCode());
        return response.asByteArray();
    }

    public static X509CRLHolder parse(byte[] der) {
        try {
            return new X509CRLHolder(der);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BigInteger number(X509CRLHolder crl) {
        return ASN1Integer.getInstance(crl.getExtension(Extension.cRLNumber).getParsedValue()).getValue();
    }

    public static Path writePem(Path dir, String name, byte[] der) {
        String pem = "-----BEGIN X509 CRL-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END X509 CRL-----\n";
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, pem);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path write(Path dir, String name, String content) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, content);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a tool that must be installed (infra.sh installs openssl and gnutls-bin): fails, never skips. */
    public static ExternalTool.Result tool(String... command) {
        ExternalTool.Result which = ExternalTool.run("sh", "-c", "command -v " + command[0]);
        assertTrue(which.exitCode() == 0, command[0] + " is not installed (deploy/local/infra.sh installs it)");
        return ExternalTool.run(command);
    }

    /** Waits until the publisher's store shows {@code serial} with {@code status} (V, H, R). */
    public static void awaitStatus(DataSource db, String serial, String status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = db.getConnection();
                 PreparedStatement select = c.prepareStatement("select status from cert_status where serial = ?")) {
                select.setString(1, serial);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next() && rs.getString(1).equals(status)) {
                        return;
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("The event for " + serial + " (" + status + ") did not reach the store within 60 s");
    }
}
