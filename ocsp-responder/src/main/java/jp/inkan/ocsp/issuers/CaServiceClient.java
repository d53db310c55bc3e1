package jp.inkan.ocsp.issuers;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.ca.CaGeneration;
import jp.inkan.common.ca.ResponderCertificate;
import jp.inkan.common.ca.ResponderCertificateRequest;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.common.tls.TlsFiles;

/** ca-service's internal API over mutual TLS, as the {@code ocsp-responder} client. */
@ApplicationScoped
public class CaServiceClient implements CaServiceApi {

    private final OcspConfig.CaService config;
    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private volatile HttpClient client;

    public CaServiceClient(OcspConfig config) {
        this.config = config.caService();
    }

    @Override
    public List<CaGeneration> generations() {
        HttpRequest request = HttpRequest.newBuilder(uri("/internal/v1/cas")).timeout(config.timeout())
                .header("Accept", "application/json").GET().build();
        return json(send(request, 200), new TypeReference<>() {
        });
    }

    @Override
    public ResponderCertificate issueResponderCertificate(ResponderCertificateRequest body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri("/internal/v1/responder-certificates"))
                    .timeout(config.timeout()).header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
            return json(send(request, 201), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new CaServiceException("cannot encode the request: " + e.getMessage());
        }
    }

    /** Records the audit file's chain head in ca-service's sealed chain. */
    public AuditAnchor anchor(AuditAnchor head) {
        try {
            HttpRequest request = HttpRequest.newBuilder(uri("/internal/v1/audit/anchors")).timeout(config.timeout())
                    .header("Content-Type", "application/json").header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(head))).build();
            return json(send(request, 200), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new CaServiceException("cannot encode the anchor: " + e.getMessage());
        }
    }

    /** Every anchor of this client's audit chains recorded by ca-service, oldest first. */
    public List<AuditAnchor> anchors() {
        HttpRequest request = HttpRequest.newBuilder(uri("/internal/v1/audit/anchors")).timeout(config.timeout())
                .header("Accept", "application/json").GET().build();
        return json(send(request, 200), new TypeReference<>() {
        });
    }

    private String send(HttpRequest request, int expected) {
        try {
            HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                // The body is a problem+json document; its title is enough for the log.
                String body = response.body();
                throw new CaServiceException(request.method() + " " + request.uri().getPath() + " answered "
                        + response.statusCode() + ": " + body.substring(0, Math.min(300, body.length())));
            }
            return response.body();
        } catch (IOException e) {
            throw new CaServiceException(request.method() + " " + request.uri().getPath() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaServiceException("interrupted");
        }
    }

    private <T> T json(String body, TypeReference<T> type) {
        try {
            return json.readValue(body, type);
        } catch (IOException e) {
            throw new CaServiceException("unreadable answer from ca-service: " + e.getMessage());
        }
    }

    private URI uri(String path) {
        return URI.create(config.url().replaceAll("/+$", "") + path);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.timeout())
                    .sslContext(TlsFiles.clientContext(config.clientCertificate(), config.clientKey(), config.trust()))
                    .build();
            client = c;
        }
        return c;
    }

    /** ca-service could not be reached or refused; the caller keeps what it has and retries later. */
    public static final class CaServiceException extends RuntimeException {
        public CaServiceException(String message) {
            super(message);
        }
    }
}
