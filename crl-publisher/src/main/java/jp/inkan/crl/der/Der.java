package jp.inkan.crl.der;

import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The few DER primitives a CRL needs, written by hand where a million of them are written (entries);
 * the rare structures (extensions, names: {@link CrlExtensions}) come from Bouncy Castle, which only
 * this package uses.
 */
public final class Der {

    public static final int SEQUENCE = 0x30;
    public static final int INTEGER = 0x02;
    public static final int UTC_TIME = 0x17;
    public static final int GENERALIZED_TIME = 0x18;

    private Der() {
    }

    public static int headerLength(long contentLength) {
        if (contentLength < 0x80) {
            return 2;
        }
        int octets = 0;
        for (long v = contentLength; v > 0; v >>>= 8) {
            octets++;
        }
        return 2 + octets;
    }

    /** Writes tag and length into {@code out} at {@code offset}; returns the new offset. */
    public static int header(byte[] out, int offset, int tag, long contentLength) {
        out[offset++] = (byte) tag;
        if (contentLength < 0x80) {
            out[offset++] = (byte) contentLength;
            return offset;
        }
        int octets = headerLength(contentLength) - 2;
        out[offset++] = (byte) (0x80 | octets);
        for (int i = octets - 1; i >= 0; i--) {
            out[offset++] = (byte) (contentLength >>> (8 * i));
        }
        return offset;
    }

    public static void header(OutputStream out, int tag, long contentLength) throws IOException {
        byte[] buffer = new byte[10];
        int n = header(buffer, 0, tag, contentLength);
        out.write(buffer, 0, n);
    }

    public static byte[] tlv(int tag, byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[headerLength(length) + length];
        int offset = header(out, 0, tag, length);
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }

    /** A BIT STRING of whole octets (no unused bits), as a signature is. */
    public static byte[] bitString(byte[] octets) {
        return tlv(0x03, new byte[] {0}, octets);
    }

    /**
     * A certificate serial (lower-case hex, no leading zeros) as DER INTEGER content bytes into
     * {@code out}; returns the count. Positive: a leading zero octet when the top bit is set.
     */
    public static int serialContent(String hex, byte[] out, int offset) {
        int digits = hex.length();
        int bytes = (digits + 1) / 2;
        int start = offset;
        int first = hexValue(hex.charAt(0));
        if (digits % 2 == 0) {
            first = (first << 4) | hexValue(hex.charAt(1));
        }
        if ((first & 0x80) != 0) {
            out[offset++] = 0;
        }
        out[offset++] = (byte) first;
        for (int i = digits % 2 == 0 ? 2 : 1; i < digits; i += 2) {
            out[offset++] = (byte) ((hexValue(hex.charAt(i)) << 4) | hexValue(hex.charAt(i + 1)));
        }
        assert offset - start <= bytes + 1;
        return offset - start;
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        throw new IllegalArgumentException("Not a hex serial");
    }

    /**
     * RFC 5280 §5.1.2.4/§4.1.2.5 Time: UTCTime through 2049, GeneralizedTime from 2050, whole
     * seconds in Zulu; written into {@code out} (15 or 17 bytes), returns the new offset.
     */
    public static int time(long epochSecond, byte[] out, int offset) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 2050) {
            out[offset++] = UTC_TIME;
            out[offset++] = 13;
            offset = two(year % 100, out, offset);
        } else {
            out[offset++] = GENERALIZED_TIME;
            out[offset++] = 15;
            offset = two(year / 100, out, offset);
            offset = two(year % 100, out, offset);
        }
        return finish(t, out, offset);
    }

    /** GeneralizedTime always (the invalidity date extension, RFC 5280 §5.3.2). */
    public static int generalizedTime(long epochSecond, byte[] out, int offset) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        out[offset++] = GENERALIZED_TIME;
        out[offset++] = 15;
        offset = two(t.getYear() / 100, out, offset);
        offset = two(t.getYear() % 100, out, offset);
        return finish(t, out, offset);
    }

    public static byte[] time(long epochSecond) {
        byte[] out = new byte[17];
        int n = time(epochSecond, out, 0);
        return java.util.Arrays.copyOf(out, n);
    }

    private static int finish(LocalDateTime t, byte[] out, int offset) {
        offset = two(t.getMonthValue(), out, offset);
        offset = two(t.getDayOfMonth(), out, offset);
        offset = two(t.getHour(), out, offset);
        offset = two(t.getMinute(), out, offset);
        offset = two(t.getSecond(), out, offset);
        out[offset++] = 'Z';
        return offset;
    }

    private static int two(int value, byte[] out, int offset) {
        out[offset++] = (byte) ('0' + value / 10);
        out[offset++] = (byte) ('0' + value % 10);
        return offset;
    }
}
