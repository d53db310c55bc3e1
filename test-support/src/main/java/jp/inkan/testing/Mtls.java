package jp.inkan.testing;

import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Clients holding a certificate of the dev PKI (deploy/local/pki.sh): RestAssured specs and
 * SSLContexts for calling the services over mutual TLS, as a given service or municipality.
 */
public final class Mtls {

    public static final String P12_PASSWORD = "changeit";

    private Mtls() {
    }

    /**
     * RestAssured over HTTPS on {@code port}, presenting {@code identity} (a PKCS#12 under the PKI
     * directory, e.g. {@code registration-service} or {@code municipalities/131016}), or no client
     * certificate when it is null. The server must present a service-CA certificate.
     */
    public static RequestSpecification given(int port, String identity) {
        SSLConfig ssl = SSLConfig.sslConfig().trustStore(truststore("service-ca.pem")).allowAllHostnames();
        if (identity != null) {
            ssl = ssl.keyStore(LocalEnv.pkiDir().resolve(identity + ".p12").toFile(), P12_PASSWORD)
                    .keystoreType("PKCS12");
        }
        return RestAssured.given().baseUri("https://localhost").port(port)
                .config(RestAssured.config().sslConfig(ssl));
    }

    /** TLS context presenting {@code identity} and trusting only the service CA. */
    public static SSLContext context(String identity) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(LocalEnv.pkiDir().resolve(identity + ".p12"))) {
                keys.load(in, P12_PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, P12_PASSWORD.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(truststore("service-ca.pem"));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot load " + identity + " from " + LocalEnv.pkiDir(), e);
        }
    }

    public static HttpClient httpClient(String identity) {
        return HttpClient.newBuilder().sslContext(context(identity)).version(HttpClient.Version.HTTP_1_1).build();
    }

    private static KeyStore truststore(String pem) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            Path file = LocalEnv.pkiDir().resolve(pem);
            try (InputStream in = Files.newInputStream(file)) {
                int i = 0;
                for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, (X509Certificate) cert);
                }
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
