package jp.inkan.ocsp.responses;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A DER OCSPResponse and what HTTP caching needs to know about it.
 *
 * @param thisUpdate null for unsigned error responses
 * @param cacheable  signed without a nonce: the same bytes answer everyone until the refresh point
 * @param etag       quoted SHA-256 of the body for cacheable answers (computed once, served many times)
 */
public record Reply(byte[] body, boolean successful, Instant thisUpdate, Instant nextUpdate, boolean cacheable,
                    String etag) {

    public Reply(byte[] body, boolean successful, Instant thisUpdate, Instant nextUpdate, boolean cacheable) {
        this(body, successful, thisUpdate, nextUpdate, cacheable, cacheable ? etagOf(body) : null);
    }

    private static String etagOf(byte[] body) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
