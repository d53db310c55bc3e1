package jp.inkan.crl.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** Reads thisUpdate and nextUpdate from the first bytes of a DER CRL, without parsing the rest. */
final class CrlHeader {

    private CrlHeader() {
    }

    static Instant[] times(byte[] head) {
        int[] p = {0};
        enter(head, p); // CertificateList
        enter(head, p); // TBSCertList
        if ((head[p[0]] & 0xff) == 0x02) {
            skip(head, p); // version
        }
        skip(head, p); // signature
        skip(head, p); // issuer
        Instant thisUpdate = time(head, p);
        Instant nextUpdate = (head[p[0]] == 0x17 || head[p[0]] == 0x18) ? time(head, p) : thisUpdate;
        return new Instant[] {thisUpdate, nextUpdate};
    }

    private static void enter(byte[] b, int[] p) {
        p[0]++;
        length(b, p);
    }

    private static void skip(byte[] b, int[] p) {
        p[0]++;
        int length = length(b, p);
        p[0] += length;
    }

    private static int length(byte[] b, int[] p) {
        int first = b[p[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int value = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            value = (value << 8) | (b[p[0]++] & 0xff);
        }
        return value;
    }

    private static Instant time(byte[] b, int[] p) {
        int tag = b[p[0]++];
        int length = length(b, p);
        String s = new String(b, p[0], length, StandardCharsets.US_ASCII);
        p[0] += length;
        int year;
        String rest;
        if (tag == 0x17) {
            int yy = Integer.parseInt(s.substring(0, 2));
            year = yy < 50 ? 2000 + yy : 1900 + yy;
            rest = s.substring(2);
        } else {
            year = Integer.parseInt(s.substring(0, 4));
            rest = s.substring(4);
        }
        return LocalDateTime.of(year, Integer.parseInt(rest.substring(0, 2)), Integer.parseInt(rest.substring(2, 4)),
                Integer.parseInt(rest.substring(4, 6)), Integer.parseInt(rest.substring(6, 8)),
                Integer.parseInt(rest.substring(8, 10))).toInstant(ZoneOffset.UTC);
    }
}
