package jp.inkan.ca.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Request bodies are small (a CSR and facts: a few KB) except CRL content, which streams and is
 * bounded by {@code inkan.ca.crl.max-tbs-bytes}. quarkus.http.limits.max-body-size is global, so
 * it is set for CRLs and every other request must declare a Content-Length of at most 64 KB
 * (chunked bodies are refused with 411) before any work is done.
 */
@ApplicationScoped
public class BodyLimits {

    static final long MAX_BODY = 64 * 1024;

    void install(@Observes Router router) {
        router.route().order(-1000).handler(ctx -> {
            String method = ctx.request().method().name();
            boolean mayHaveBody = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
            if (!mayHaveBody || ctx.request().path().endsWith("/crls")) {
                ctx.next();
                return;
            }
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length == null) {
                if (ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
                    refuse(ctx, 411, "length-required", "Length required", "Send a Content-Length (at most 64 KB).");
                    return;
                }
                ctx.next();
                return;
            }
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = Long.MAX_VALUE;
            }
            if (declared > MAX_BODY) {
                refuse(ctx, 413, "body-too-large", "Request body too large", "Bodies are limited to 64 KB.");
                return;
            }
            ctx.next();
        });
    }

    private static void refuse(io.vertx.ext.web.RoutingContext ctx, int status, String type, String title, String detail) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json")
                .putHeader("Connection", "close")
                .end("{\"type\":\"urn:inkan:problem:" + type + "\",\"title\":\"" + title + "\",\"status\":" + status
                        + ",\"detail\":\"" + detail + "\"}");
    }
}
