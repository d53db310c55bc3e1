package jp.inkan.crl.ca;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import jp.inkan.common.CertificateType;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.ca.CaGeneration;
import jp.inkan.common.tls.TlsFiles;
import jp.inkan.crl.config.CrlConfig;

/** ca-service over mutual TLS, as the crl-publisher client: key generations, distribution points, signing. */
@ApplicationScoped
public class CaClient {

    /** As ca-service's CrlDistributionPoints.DistributionPoint answers (fullName: DER GeneralNames). */
    public record DistributionPoint(String municipalityCode, String directoryName, String url, byte[] fullName) {
    }

    public record SignedCrl(CertificateType ca, int generation, String signatureAlgorithm, byte[] signature,
                            String crlNumber, String deltaBase, long entries, String tbsSha256) {
    }

    /** ca-service answered with a problem (status, body). */
    public static final class CaRefused extends RuntimeException {
        private final int status;

        public CaRefused(int status, String body) {
            super("ca-service answered " + status + ": " + body);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final CrlConfig config;
    private final ObjectMapper json;
    private volatile HttpClient client;

    public CaClient(CrlConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public List<CaGeneration> generations() {
        return get("/internal/v1/cas", new TypeReference<>() { });
    }

    public List<DistributionPoint> distributionPoints(CertificateType ca, int generation) {
        return get("/internal/v1/cas/" + ca.name().toLowerCase(Locale.ROOT) + "/generations/" + generation
                + "/crl-distribution-points", new TypeReference<>() { });
    }

    /** Streams a TBSCertList of {@code length} bytes to ca-service and returns its signature. */
    public SignedCrl sign(CertificateType ca, int generation, Supplier<InputStream> tbs, long length) {
        HttpRequest request = HttpRequest.newBuilder(uri("/internal/v1/cas/" + ca.name().toLowerCase(Locale.ROOT)
                        + "/generations/" + generation + "/crls"))
                .timeout(config.caService().signTimeout())
                .header("Content-Type", "application/octet-stream")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(tbs), length))
                .build();
        return send(request, new TypeReference<>() { });
    }

    /** Records our audit chain head in ca-service's sealed chain. */
    public AuditAnchor anchor(AuditAnchor head) {
        try {
            return send(HttpRequest.newBuilder(uri("/internal/v1/audit/anchors")).header("Content-Type", "application/json")
                    .header("Accept", "application/json").timeout(java.time.Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(head))).build(),
                    new TypeReference<>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every anchor of our audit chain that ca-service recorded, oldest first. */
    public List<AuditAnchor> anchors() {
        return get("/internal/v1/audit/anchors", new TypeReference<>() { });
    }

    private <T> T get(String path, TypeReference<T> type) {
        return send(HttpRequest.newBuilder(uri(path)).header("Accept", "application/json")
                .timeout(java.time.Duration.ofSeconds(30)).GET().build(), type);
    }

    private <T> T send(HttpRequest request, TypeReference<T> type) {
        try {
            HttpResponse<InputStream> response = client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() / 100 != 2) {
                    throw new CaRefused(response.statusCode(), new String(body.readNBytes(4096)));
                }
                return json.readValue(body, type);
            }
        } catch (IOException e) {
            throw new IllegalStateException("ca-service unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        String base = config.caService().url();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(java.time.Duration.ofSeconds(10)).sslContext(sslContext()).build();
                }
                c = client;
            }
        }
        return c;
    }

    private SSLContext sslContext() {
        return TlsFiles.clientContext(config.caService().clientCertificate(), config.caService().clientKey(),
                config.caService().trust());
    }
}
