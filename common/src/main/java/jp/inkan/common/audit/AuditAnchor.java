package jp.inkan.common.audit;

/**
 * A service's audit chain head as recorded in ca-service's sealed chain: entry {@code seq} of the
 * chain named {@code chain} had hash {@code entryHash} (hex). {@code anchoredAs} is the number of
 * the ca-service audit entry that records it (0 in a request).
 */
public record AuditAnchor(String chain, long seq, String entryHash, long anchoredAs) {

    /** Chain names: a service keeps one chain ({@value #MAIN}) or one per instance (ocsp-responder). */
    public static final String MAIN = "main";

    public static AuditAnchor of(String chain, long seq, byte[] entryHash) {
        return new AuditAnchor(chain, seq, java.util.HexFormat.of().formatHex(entryHash), 0);
    }

    public byte[] hashBytes() {
        return java.util.HexFormat.of().parseHex(entryHash);
    }
}
