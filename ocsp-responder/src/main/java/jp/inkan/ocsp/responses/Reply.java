package jp.inkan.ocsp.responses;

import java.time.Instant;

/**
 * A DER OCSPResponse and what HTTP caching needs to know about it.
 *
 * @param thisUpdate null for unsigned error responses
 * @param cacheable  signed without a nonce: the same bytes answer everyone until the refresh point
 */
public record Reply(byte[] body, boolean successful, Instant thisUpdate, Instant nextUpdate, boolean cacheable) {
}
