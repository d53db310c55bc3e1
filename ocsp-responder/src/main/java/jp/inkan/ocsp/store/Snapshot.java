package jp.inkan.ocsp.store;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The store on disk with the topic offsets it covers, so a restart consumes only what came after.
 * Written to a temporary file, fsynced, then renamed over the previous one (and the directory
 * fsynced): a crash leaves either the old snapshot or the new one, never half of one. A CRC over
 * the whole content catches a torn or damaged file, which is then ignored (rebuild from offset 0).
 *
 * <p>Format: magic, topic, partition count, (partition, next offset)*, issuer count, then per
 * issuer its key id, its entries (serial length, serial bytes, packed status) and its invalidity
 * dates (count, then serial length, serial bytes, epoch seconds), then the CRC. A snapshot of an
 * older format is ignored like a damaged one: the store is rebuilt from the topic.
 */
public final class Snapshot {

    private static final String MAGIC = "INKAN-OCSP-SNAPSHOT-2";
    static final String FILE = "status-snapshot.bin";

    private Snapshot() {
    }

    /** Offsets the snapshot covers: partition → next offset to consume. */
    public record Loaded(Map<Integer, Long> offsets, long entries) {
    }

    public static void write(Path dir, String topic, Map<Integer, Long> offsets, StatusStore store) throws IOException {
        Files.createDirectories(dir);
        Path temp = dir.resolve(FILE + ".tmp");
        CRC32 crc = new CRC32();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream raw = java.nio.channels.Channels.newOutputStream(channel);
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 16), crc));
            out.writeUTF(MAGIC);
            out.writeUTF(topic);
            out.writeInt(offsets.size());
            for (Map.Entry<Integer, Long> offset : offsets.entrySet()) {
                out.writeInt(offset.getKey());
                out.writeLong(offset.getValue());
            }
            int[] issuerCount = {0};
            store.forEachIssuer((issuer, table) -> issuerCount[0]++);
            out.writeInt(issuerCount[0]);
            IOException[] failure = {null};
            store.forEachIssuer((issuer, table) -> {
                try {
                    out.writeUTF(issuer);
                    out.writeLong(table.size());
                    BiConsumer<BigInteger, Long> entry = (serial, value) -> {
                        try {
                            byte[] bytes = serial.toByteArray();
                            out.writeByte(bytes.length);
                            out.write(bytes);
                            out.writeLong(value);
                        } catch (IOException e) {
                            failure[0] = e;
                        }
                    };
                    table.forEach(entry);
                    Map<BigInteger, Long> dates = store.invalidityDatesOf(issuer);
                    out.writeLong(dates.size());
                    dates.forEach(entry);
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            out.flush();
            // The CRC itself is not part of the checked content.
            raw.write(java.nio.ByteBuffer.allocate(8).putLong(crc.getValue()).array());
            raw.flush();
            channel.force(true);
        }
        Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is still atomic.
        }
    }

    /** Loads the snapshot into the (empty) store; empty if there is none, it is damaged, or for another topic. */
    public static Optional<Loaded> read(Path dir, String topic, StatusStore store) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        long size = Files.size(file);
        if (size < 8) {
            return Optional.empty();
        }
        CRC32 crc = new CRC32();
        Map<Integer, Long> offsets = new HashMap<>();
        long entries = 0;
        try (InputStream raw = Files.newInputStream(file)) {
            DataInputStream in = new DataInputStream(new CheckedInputStream(
                    new BufferedInputStream(new LimitedInputStream(raw, size - 8), 1 << 16), crc));
            if (!MAGIC.equals(in.readUTF()) || !topic.equals(in.readUTF())) {
                return Optional.empty();
            }
            int partitions = in.readInt();
            for (int i = 0; i < partitions; i++) {
                offsets.put(in.readInt(), in.readLong());
            }
            int issuers = in.readInt();
            for (int i = 0; i < issuers; i++) {
                String issuer = in.readUTF();
                long count = in.readLong();
                for (long j = 0; j < count; j++) {
                    store.restore(issuer, serial(in), in.readLong());
                    entries++;
                }
                long dates = in.readLong();
                for (long j = 0; j < dates; j++) {
                    store.restoreInvalidityDate(issuer, serial(in), in.readLong());
                }
            }
            if (in.read() != -1) {
                store.clear();
                return Optional.empty();
            }
            long expected = new DataInputStream(raw).readLong();
            if (expected != crc.getValue()) {
                store.clear();
                return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            store.clear();
            return Optional.empty();
        }
        return Optional.of(new Loaded(offsets, entries));
    }

    private static BigInteger serial(DataInputStream in) throws IOException {
        byte[] serial = new byte[in.readUnsignedByte()];
        in.readFully(serial);
        return new BigInteger(serial);
    }

    /** Reads at most {@code limit} bytes of the underlying stream, leaving the rest (the CRC) unread. */
    private static final class LimitedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedInputStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
