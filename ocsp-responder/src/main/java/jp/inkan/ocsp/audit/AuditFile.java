package jp.inkan.ocsp.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.AuditChain;

/**
 * The responder's audit trail, an append-only file of JSON lines under its state directory, one
 * entry per line ({@code n, at, actor, event, subject, detail, prev, hash}, chained by
 * {@link AuditChain}). Lines are written at once and forced to disk in batches ({@link #sync()});
 * a process crash loses nothing written, a machine crash at most the entries since the last sync.
 * A line cut short by a crash is never dropped or repaired: the next start ends it and appends an
 * {@value #TORN} entry naming its line number, length and SHA-256, and the verification reports it.
 * Each file is its own chain, named by {@code chain-id} (one per responder instance) when anchored.
 */
public final class AuditFile implements AutoCloseable {

    static final String TORN = "audit.torn-line";
    private static final String FILE = "audit.jsonl";

    /** A break, with the line of the file where it shows. */
    public record Problem(long seq, long line, String problem) {
    }

    /** The outcome of a check: {@code anchors} is -1 when ca-service could not be asked. */
    public record Verification(boolean intact, String chain, long entries, long lastSeq, long anchors,
                               List<Problem> breaks, List<String> notes) {
    }

    private final Path dir;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final String chainId;
    private FileChannel channel;
    private long lastSeq;
    private byte[] lastHash = AuditChain.GENESIS;
    private long lines;
    private boolean dirty;
    private boolean closed;

    /** Opens (or starts) the file; a torn last line is ended and recorded, never dropped. */
    public AuditFile(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
            Path id = dir.resolve("chain-id");
            if (!Files.exists(id)) {
                byte[] random = new byte[6];
                new SecureRandom().nextBytes(random);
                Files.writeString(id, "responder-" + HexFormat.of().formatHex(random) + "\n");
            }
            chainId = Files.readString(id).trim();
            Path file = dir.resolve(FILE);
            byte[] tornLine = null;
            long tornAt = 0;
            if (Files.exists(file)) {
                List<byte[]> all = rawLines(file);
                for (byte[] line : all) {
                    lines++;
                    Optional<AuditChain.Entry> entry = parse(line);
                    if (entry.isPresent()) {
                        lastSeq = entry.get().seq();
                        lastHash = entry.get().entryHash();
                    }
                }
                if (Files.size(file) > 0 && lastByte(file) != '\n') {
                    tornLine = all.get(all.size() - 1);
                    tornAt = lines;
                }
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            if (tornLine != null) {
                channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
                append("ocsp-responder", TORN, "line " + tornAt, describe(tornAt, tornLine)
                        + " was cut short by a crash; it is kept as it is and is not an entry");
                sync();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the audit file in " + dir, e);
        }
    }

    public String chainId() {
        return chainId;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /** Appends one entry (written at once, forced to disk by the next {@link #sync()}); returns its number. */
    public synchronized long append(String actor, String event, String subject, String detail) {
        if (closed) {
            throw new IllegalStateException("the audit file is closed (shutting down)");
        }
        long seq = lastSeq + 1;
        Instant at = AuditChain.storable(clock.instant());
        byte[] hash = AuditChain.hash(seq, at, actor, event, subject, detail, lastHash);
        ObjectNode line = json.createObjectNode().put("n", seq).put("at", at.toString()).put("actor", actor)
                .put("event", event).put("subject", subject).put("detail", detail)
                .put("prev", HexFormat.of().formatHex(lastHash)).put("hash", HexFormat.of().formatHex(hash));
        try {
            byte[] bytes = (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the audit file", e);
        }
        lastSeq = seq;
        lastHash = hash;
        lines++;
        dirty = true;
        return seq;
    }

    /** Forces what was written to disk (called in batches, and at shutdown). */
    public synchronized void sync() {
        if (!dirty || closed) {
            return;
        }
        try {
            channel.force(false);
            dirty = false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot force the audit file to disk", e);
        }
    }

    /** The chain head, as anchored in ca-service. */
    public synchronized Optional<AuditAnchor> head() {
        return lastSeq == 0 ? Optional.empty() : Optional.of(AuditAnchor.of(chainId, lastSeq, lastHash));
    }

    /**
     * Re-reads the file and recomputes the chain; with {@code anchors} (null: not available) each
     * anchor of this file's chain must still match. Every break names its entry and line.
     */
    public Verification verify(List<AuditAnchor> anchors) {
        long length;
        synchronized (this) {
            // What is written up to now, whole lines only: an append in progress is not read half-way.
            sync();
            length = lastLength();
        }
        AuditChain.Verifier verifier = new AuditChain.Verifier();
        List<Problem> lineProblems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        java.util.Map<Long, Long> lineOf = new java.util.HashMap<>();
        Path file = file();
        try {
            if (Files.exists(file)) {
                byte[] bytes = read(file, length);
                boolean endsWithNewline = bytes.length == 0 || bytes[bytes.length - 1] == '\n';
                List<byte[]> all = rawLines(bytes);
                for (int i = 0; i < all.size(); i++) {
                    long lineNo = i + 1;
                    Optional<AuditChain.Entry> entry = parse(all.get(i));
                    if (entry.isPresent()) {
                        verifier.accept(entry.get());
                        lineOf.putIfAbsent(entry.get().seq(), lineNo);
                        if (entry.get().action().equals(TORN) && (i == 0 || parse(all.get(i - 1)).isPresent()
                                || !entry.get().detail().startsWith(describe(i, all.get(i - 1))))) {
                            lineProblems.add(new Problem(entry.get().seq(), lineNo, "entry " + entry.get().seq()
                                    + " records a torn line that is not (or no longer) the line before it"));
                        }
                        continue;
                    }
                    String expected = describe(lineNo, all.get(i));
                    Optional<AuditChain.Entry> next = i + 1 < all.size() ? parse(all.get(i + 1)) : Optional.empty();
                    if (next.isPresent() && next.get().action().equals(TORN) && next.get().detail().startsWith(expected)) {
                        notes.add(expected + " was cut short by a crash; recorded by entry " + next.get().seq());
                    } else if (i == all.size() - 1 && !endsWithNewline) {
                        lineProblems.add(new Problem(verifier.lastSeq() + 1, lineNo, "line " + lineNo
                                + " is torn (a write cut short by a crash); the next start records it"));
                    } else {
                        lineProblems.add(new Problem(verifier.lastSeq() + 1, lineNo, "line " + lineNo
                                + " is not an audit entry (altered or inserted)"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the audit file", e);
        }
        if (anchors != null) {
            anchors.stream().filter(a -> chainId.equals(a.chain())).forEach(a -> verifier.anchor(a.seq(), a.hashBytes()));
        }
        List<Problem> breaks = new ArrayList<>(lineProblems);
        for (AuditChain.Break b : verifier.breaks()) {
            breaks.add(new Problem(b.seq(), lineOf.getOrDefault(b.seq(), 0L), b.problem()));
        }
        breaks.sort(java.util.Comparator.comparingLong(Problem::seq).thenComparingLong(Problem::line));
        return new Verification(breaks.isEmpty(), chainId, verifier.entries(), verifier.lastSeq(),
                anchors == null ? -1 : anchors.stream().filter(a -> chainId.equals(a.chain())).count(), breaks, notes);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            sync();
            closed = true;
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(long lineNo, byte[] line) {
        return "line " + lineNo + " (" + line.length + " bytes, SHA-256 " + HexFormat.of().formatHex(sha256(line)) + ")";
    }

    private long lastLength() {
        try {
            return closed ? Files.size(file()) : channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path file, long length) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, in.size()));
            while (buffer.hasRemaining() && in.read(buffer, buffer.position()) > 0) {
                // read on
            }
            return buffer.array();
        }
    }

    private static List<byte[]> rawLines(Path file) throws IOException {
        return rawLines(Files.readAllBytes(file));
    }

    /** The lines as bytes, without their newline (a torn line may end inside a UTF-8 character). */
    private static List<byte[]> rawLines(byte[] all) {
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                lines.add(java.util.Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        if (start < all.length) {
            lines.add(java.util.Arrays.copyOfRange(all, start, all.length));
        }
        return lines;
    }

    private Optional<AuditChain.Entry> parse(byte[] line) {
        try {
            JsonNode node = json.readTree(line);
            if (node == null || !node.isObject() || !node.hasNonNull("n") || !node.hasNonNull("hash")) {
                return Optional.empty();
            }
            return Optional.of(new AuditChain.Entry(node.get("n").asLong(), Instant.parse(node.path("at").asText()),
                    node.path("actor").asText(), node.path("event").asText(), node.path("subject").asText(),
                    node.path("detail").asText(), HexFormat.of().parseHex(node.path("prev").asText()),
                    HexFormat.of().parseHex(node.path("hash").asText())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int lastByte(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            in.read(b, in.size() - 1);
            return b.get(0);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
