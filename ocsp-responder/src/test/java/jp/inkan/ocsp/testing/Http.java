package jp.inkan.ocsp.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/** Plain HTTP to the responder, as an OCSP client does it. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Http() {
    }

    public static HttpResponse<byte[]> post(String url, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/ocsp-request")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    public static HttpResponse<byte[]> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    private static HttpResponse<byte[]> send(HttpRequest request) {
        try {
            try {
                return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException stale) {
                // The server closes a connection after some refusals (414); a pooled keep-alive
                // connection it closed may be picked before the client notices. Clients retry once.
                return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Hex SHA-1 subject key identifier: the issuerKeyId of the certificate events. */
    public static String ski(X509Certificate certificate) {
        byte[] extension = certificate.getExtensionValue("2.5.29.14");
        // OCTET STRING (extnValue) holding an OCTET STRING of the 20-byte key identifier.
        byte[] inner = java.util.Arrays.copyOfRange(extension, 4, extension.length);
        return HexFormat.of().formatHex(inner);
    }
}
