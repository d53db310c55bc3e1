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

    /**
     * The OCSPResponseStatus: 0 for a successful (signed) answer, else the value of the unsigned
     * error response {@code SEQUENCE { ENUMERATED status }} (RFC 6960 §4.2.1), read from its fifth byte.
     */
    public int responseStatus() {
        if (successful) {
            return 0;
        }
        return body.length == 5 && body[2] == 0x0a && body[3] == 1 ? body[4] : 2;
    }

    private static String etagOf(byte[] body) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
