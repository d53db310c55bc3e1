package jp.inkan.common.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A hash-chained audit trail, shared by every service that keeps one: each entry's hash covers its
 * sequence number, time, actor, action, subject, detail and the previous entry's hash, so changing,
 * removing or reordering a stored entry breaks the chain exactly there. Storage and sealing (a
 * signature over a chain head) belong to the service; this class only hashes and checks.
 */
public final class AuditChain {

    /** The "previous hash" of entry 1. */
    public static final byte[] GENESIS = new byte[32];
    private static final byte[] DOMAIN = "inkan-audit-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEAL_DOMAIN = "inkan-audit-seal-v1".getBytes(StandardCharsets.US_ASCII);

    private AuditChain() {
    }

    /** One stored entry as read back. */
    public record Entry(long seq, Instant at, String actor, String action, String subject, String detail,
                        byte[] prevHash, byte[] entryHash) {
    }

    /** Where the chain is broken and how. */
    public record Break(long seq, String problem) {
    }

    /** Times are stored with microsecond precision (PostgreSQL timestamptz): hash what is stored. */
    public static Instant storable(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS);
    }

    public static byte[] hash(long seq, Instant at, String actor, String action, String subject, String detail,
                              byte[] prevHash) {
        MessageDigest sha = sha256();
        sha.update(DOMAIN);
        Instant stored = storable(at);
        sha.update(ByteBuffer.allocate(16).putLong(seq)
                .putLong(stored.getEpochSecond() * 1_000_000L + stored.getNano() / 1_000).array());
        for (String field : new String[] {actor, action, subject, detail}) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            sha.update(bytes);
        }
        sha.update(prevHash);
        return sha.digest();
    }

    /** What a seal signs: the head of the chain at {@code seq}. */
    public static byte[] sealInput(long seq, byte[] entryHash) {
        return ByteBuffer.allocate(SEAL_DOMAIN.length + 8 + entryHash.length).put(SEAL_DOMAIN).putLong(seq)
                .put(entryHash).array();
    }

    /**
     * Checks entries fed in stored order (by sequence number). Every problem is reported with the
     * sequence number where it shows; checking continues from the stored values so one break does
     * not hide the next.
     */
    public static final class Verifier {
        private long lastSeq;
        private byte[] lastHash = GENESIS;
        private final List<Break> breaks = new ArrayList<>();
        private final java.util.Map<Long, byte[]> hashes = new java.util.HashMap<>();
        private long count;

        public void accept(Entry e) {
            count++;
            if (e.seq() != lastSeq + 1) {
                breaks.add(e.seq() <= lastSeq
                        ? new Break(e.seq(), "entry " + e.seq() + " is out of order (after entry " + lastSeq + ")")
                        : new Break(lastSeq + 1, "entries " + (lastSeq + 1) + (e.seq() - 1 > lastSeq + 1 ? "–" + (e.seq() - 1) : "")
                        + " missing (entry " + lastSeq + " is followed by entry " + e.seq() + ")"));
            } else if (!Arrays.equals(e.prevHash(), lastHash)) {
                breaks.add(new Break(e.seq(), "entry " + e.seq() + " does not follow entry " + lastSeq
                        + " (its previous-entry hash differs): an entry was removed, inserted or reordered here"));
            }
            byte[] expected = hash(e.seq(), e.at(), e.actor(), e.action(), e.subject(), e.detail(), e.prevHash());
            if (!Arrays.equals(expected, e.entryHash())) {
                breaks.add(new Break(e.seq(), "entry " + e.seq() + " was altered (its content does not match its hash)"));
            }
            lastSeq = Math.max(lastSeq, e.seq());
            lastHash = e.entryHash();
            hashes.put(e.seq(), e.entryHash());
        }

        /**
         * A seal over entry {@code seq} whose signature the caller verified ({@code signatureValid}):
         * the stored chain must still have that very hash there.
         */
        public void seal(long seq, byte[] sealedHash, boolean signatureValid) {
            if (!signatureValid) {
                breaks.add(new Break(seq, "the seal over entry " + seq + " has an invalid signature"));
                return;
            }
            byte[] stored = hashes.get(seq);
            if (stored == null) {
                breaks.add(new Break(seq, "entry " + seq + ", sealed as " + HexFormat.of().formatHex(sealedHash)
                        + ", is missing: entries up to a seal were removed"));
            } else if (!Arrays.equals(stored, sealedHash)) {
                breaks.add(new Break(seq, "the chain up to entry " + seq + " differs from what was sealed: rewritten"));
            }
        }

        /**
         * An anchor in ca-service's sealed chain: the stored chain must still have that hash at
         * {@code seq}. A chain rewritten consistently (every hash recomputed) is caught here.
         */
        public void anchor(long seq, byte[] anchoredHash) {
            byte[] stored = hashes.get(seq);
            if (stored == null) {
                breaks.add(new Break(seq, "entry " + seq + ", anchored in ca-service as "
                        + HexFormat.of().formatHex(anchoredHash) + ", is missing: entries up to an anchor were removed"));
            } else if (!Arrays.equals(stored, anchoredHash)) {
                breaks.add(new Break(seq, "the chain up to entry " + seq
                        + " differs from what was anchored in ca-service: rewritten"));
            }
        }

        public List<Break> breaks() {
            return breaks.stream().sorted(java.util.Comparator.comparingLong(Break::seq)).toList();
        }

        public long entries() {
            return count;
        }

        public long lastSeq() {
            return lastSeq;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
