package jp.inkan.ca.crypto;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Set;
import jp.inkan.ca.hsm.SigningAlgorithm;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Reads a DER TBSCertList (RFC 5280 §5.1.2) as it streams in, checks it and hashes it, holding at
 * most one CRL entry or the extensions block in memory: a CRL of a million entries costs the same
 * memory as one of ten. Every byte read goes into the SHA-256 digest that the HSM then signs.
 */
public final class CrlTbsReader {

    /** What the caller expects of the CRL: the issuing generation's root and algorithm, and time. */
    public record Expectations(byte[] issuerCertificateDer, SigningAlgorithm algorithm, Instant now,
                               java.time.Duration maxClockSkew, java.time.Duration maxValidity, long maxLength) {
    }

    /** What was read; {@code scopeSha256} names the scope (the IDP extension, empty digest if none). */
    public record Facts(byte[] tbsSha256, long length, long entries, BigInteger crlNumber, BigInteger deltaBase,
                        Instant thisUpdate, Instant nextUpdate, byte[] scopeSha256) {
    }

    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private static final Set<ASN1ObjectIdentifier> KNOWN_CRITICAL = Set.of(
            Extension.issuingDistributionPoint, Extension.deltaCRLIndicator);
    private static final int MAX_ENTRY = 4096;
    private static final int MAX_EXTENSIONS = 64 * 1024;

    private final InputStream in;
    private final MessageDigest digest;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private long consumed;

    private CrlTbsReader(InputStream in) {
        this.in = in;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the whole stream: it must hold exactly one TBSCertList and nothing after it. */
    public static Facts read(InputStream in, Expectations expected) throws Refused {
        try {
            return new CrlTbsReader(in).readTbs(expected);
        } catch (EOFException e) {
            throw new Refused("The TBSCertList ends early.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Facts readTbs(Expectations expected) throws IOException, Refused {
        X509CertificateHolder root = new X509CertificateHolder(expected.issuerCertificateDer());
        byte[] issuerName = root.getSubject().getEncoded(ASN1Encoding.DER);
        byte[] keyId = SubjectKeyIds.of(root);
        byte[] algorithmId = new DefaultSignatureAlgorithmIdentifierFinder().find(expected.algorithm().jcaName())
                .getEncoded(ASN1Encoding.DER);

        expectTag(0x30, "TBSCertList");
        long total = readLength();
        if (total > expected.maxLength()) {
            throw new Refused("The TBSCertList is longer than " + expected.maxLength() + " bytes.");
        }
        long end = consumed + total;
        byte[] version = readElement(16);
        if (!Arrays.equals(version, new byte[] {0x02, 0x01, 0x01})) {
            throw new Refused("The CRL must be version 2 (INTEGER 1).");
        }
        if (!Arrays.equals(readElement(256), algorithmId)) {
            throw new Refused("The signature algorithm must be " + expected.algorithm().jcaName() + " with DER parameters.");
        }
        if (!Arrays.equals(readElement(4096), issuerName)) {
            throw new Refused("The issuer must be the subject of this key generation's root, byte for byte.");
        }
        Instant thisUpdate = time(readElement(32), "thisUpdate");
        if (thisUpdate.isAfter(expected.now().plus(expected.maxClockSkew()))
                || thisUpdate.isBefore(expected.now().minus(expected.maxClockSkew()))) {
            throw new Refused("thisUpdate " + thisUpdate + " is not within " + expected.maxClockSkew() + " of now.");
        }
        if (consumed >= end || (peek() != 0x17 && peek() != 0x18)) {
            throw new Refused("nextUpdate is required (RFC 5280 §5.1.2.5).");
        }
        Instant nextUpdate = time(readElement(32), "nextUpdate");
        if (!nextUpdate.isAfter(thisUpdate) || nextUpdate.isAfter(thisUpdate.plus(expected.maxValidity()))) {
            throw new Refused("nextUpdate must follow thisUpdate by at most " + expected.maxValidity() + ".");
        }
        long entries = 0;
        if (consumed < end && peek() == 0x30) {
            next();
            long listLength = readLength();
            long listEnd = consumed + listLength;
            if (listEnd > end) {
                throw new Refused("revokedCertificates overruns the TBSCertList.");
            }
            while (consumed < listEnd) {
                checkEntry(readElement(MAX_ENTRY));
                entries++;
            }
            if (consumed != listEnd) {
                throw new Refused("A CRL entry overruns revokedCertificates.");
            }
            if (entries == 0) {
                throw new Refused("An empty revokedCertificates must be absent (RFC 5280 §5.1.2.6).");
            }
        }
        if (consumed >= end || peek() != 0xa0) {
            throw new Refused("crlExtensions are required (authority key identifier, CRL number).");
        }
        byte[] tagged = readElement(MAX_EXTENSIONS);
        if (consumed != end) {
            throw new Refused("Unexpected content after crlExtensions.");
        }
        if (fill() > 0) {
            throw new Refused("Unexpected bytes after the TBSCertList.");
        }
        Extensions extensions;
        try {
            extensions = Extensions.getInstance(
                    ASN1TaggedObject.getInstance(ASN1Primitive.fromByteArray(tagged)).getExplicitBaseObject());
        } catch (RuntimeException e) {
            throw new Refused("crlExtensions do not parse: " + e.getMessage());
        }
        for (ASN1ObjectIdentifier oid : extensions.getCriticalExtensionOIDs()) {
            if (!KNOWN_CRITICAL.contains(oid)) {
                throw new Refused("Unknown critical CRL extension " + oid + ".");
            }
        }
        AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.fromExtensions(extensions);
        if (aki == null || !Arrays.equals(aki.getKeyIdentifier(), keyId)
                || extensions.getExtension(Extension.authorityKeyIdentifier).isCritical()) {
            throw new Refused("The authority key identifier must be present, non-critical, and this generation's.");
        }
        Extension number = extensions.getExtension(Extension.cRLNumber);
        if (number == null || number.isCritical()) {
            throw new Refused("The CRL number must be present and non-critical.");
        }
        BigInteger crlNumber = ASN1Integer.getInstance(number.getParsedValue()).getPositiveValue();
        if (crlNumber.bitLength() > 159) {
            throw new Refused("The CRL number exceeds 20 octets.");
        }
        BigInteger deltaBase = null;
        Extension delta = extensions.getExtension(Extension.deltaCRLIndicator);
        if (delta != null) {
            if (!delta.isCritical()) {
                throw new Refused("The delta CRL indicator must be critical.");
            }
            deltaBase = ASN1Integer.getInstance(delta.getParsedValue()).getPositiveValue();
            if (deltaBase.compareTo(crlNumber) >= 0) {
                throw new Refused("A delta CRL's base number must be below its own number.");
            }
        }
        byte[] scope = new byte[0];
        Extension idp = extensions.getExtension(Extension.issuingDistributionPoint);
        if (idp != null) {
            if (!idp.isCritical()) {
                throw new Refused("The issuing distribution point must be critical.");
            }
            IssuingDistributionPoint.getInstance(idp.getParsedValue());
            scope = idp.getExtnValue().getOctets();
        }
        return new Facts(digest.digest(), consumed, entries, crlNumber, deltaBase, thisUpdate, nextUpdate,
                sha256(scope));
    }

    /** RevokedCertificate ::= SEQUENCE { userCertificate INTEGER (positive), revocationDate Time, crlEntryExtensions OPTIONAL }. */
    private static void checkEntry(byte[] entry) throws Refused {
        int[] p = {0};
        if (entry[0] != 0x30) {
            throw new Refused("A CRL entry is not a SEQUENCE.");
        }
        p[0] = 1;
        int len = length(entry, p);
        if (p[0] + len != entry.length) {
            throw new Refused("A CRL entry has a bad length.");
        }
        if (entry[p[0]] != 0x02) {
            throw new Refused("A CRL entry's serial is not an INTEGER.");
        }
        p[0]++;
        int serialLength = length(entry, p);
        if (serialLength < 1 || serialLength > 21 || (entry[p[0]] & 0x80) != 0) {
            throw new Refused("A CRL entry's serial must be a positive INTEGER of at most 20 octets.");
        }
        p[0] += serialLength;
        if (p[0] >= entry.length || (entry[p[0]] != 0x17 && entry[p[0]] != 0x18)) {
            throw new Refused("A CRL entry's revocationDate is not a Time.");
        }
    }

    private static int length(byte[] data, int[] p) throws Refused {
        int first = data[p[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int octets = first & 0x7f;
        if (octets == 0 || octets > 3) {
            throw new Refused("Bad DER length in a CRL entry.");
        }
        int value = 0;
        for (int i = 0; i < octets; i++) {
            value = (value << 8) | (data[p[0]++] & 0xff);
        }
        return value;
    }

    private static Instant time(byte[] element, String field) throws Refused {
        try {
            String text = new String(element, 2, element.length - 2, java.nio.charset.StandardCharsets.US_ASCII);
            if (element[0] == 0x17 && text.length() == 13 && text.endsWith("Z")) {
                int year = Integer.parseInt(text.substring(0, 2));
                return parse((year < 50 ? 2000 : 1900) + year, text.substring(2, 12));
            }
            if (element[0] == 0x18 && text.length() == 15 && text.endsWith("Z")) {
                return parse(Integer.parseInt(text.substring(0, 4)), text.substring(4, 14));
            }
        } catch (RuntimeException e) {
            // falls through
        }
        throw new Refused(field + " must be a UTCTime or GeneralizedTime in Zulu, to the second.");
    }

    private static Instant parse(int year, String mmddhhmmss) {
        return LocalDateTime.of(year, Integer.parseInt(mmddhhmmss.substring(0, 2)),
                Integer.parseInt(mmddhhmmss.substring(2, 4)), Integer.parseInt(mmddhhmmss.substring(4, 6)),
                Integer.parseInt(mmddhhmmss.substring(6, 8)), Integer.parseInt(mmddhhmmss.substring(8, 10)))
                .toInstant(ZoneOffset.UTC);
    }

    // ---- byte-level reading; everything consumed is digested ------------------------------------

    private int fill() throws IOException {
        if (position < limit) {
            return limit - position;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return 0;
        }
        position = 0;
        limit = n;
        return n;
    }

    private int peek() throws IOException {
        if (fill() == 0) {
            throw new EOFException();
        }
        return buffer[position] & 0xff;
    }

    private int next() throws IOException {
        int b = peek();
        digest.update(buffer[position]);
        position++;
        consumed++;
        return b;
    }

    private void expectTag(int tag, String what) throws IOException, Refused {
        if (next() != tag) {
            throw new Refused(what + " must be a DER SEQUENCE.");
        }
    }

    private long readLength() throws IOException, Refused {
        int first = next();
        if (first < 0x80) {
            return first;
        }
        int octets = first & 0x7f;
        if (octets == 0 || octets > 4) {
            throw new Refused("Indefinite or oversized lengths are not DER.");
        }
        long value = 0;
        for (int i = 0; i < octets; i++) {
            value = (value << 8) | next();
        }
        return value;
    }

    /** One whole TLV (at most {@code max} bytes) as it was encoded. */
    private byte[] readElement(int max) throws IOException, Refused {
        long start = consumed;
        int tag = next();
        int first = next();
        int headerLength = 2;
        long length = first;
        if (first >= 0x80) {
            int octets = first & 0x7f;
            if (octets == 0 || octets > 3) {
                throw new Refused("Indefinite or oversized lengths are not DER.");
            }
            length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | next();
            }
            headerLength += octets;
        }
        if (length + headerLength > max) {
            throw new Refused("An element of " + (length + headerLength) + " bytes exceeds " + max + ".");
        }
        byte[] out = new byte[(int) (length + headerLength)];
        // Re-encode the header we already consumed (the digest has it).
        out[0] = (byte) tag;
        out[1] = (byte) first;
        if (headerLength > 2) {
            for (int i = 0; i < headerLength - 2; i++) {
                out[2 + i] = (byte) (length >>> (8 * (headerLength - 3 - i)));
            }
        }
        int offset = headerLength;
        while (offset < out.length) {
            if (fill() == 0) {
                throw new EOFException();
            }
            int n = Math.min(limit - position, out.length - offset);
            System.arraycopy(buffer, position, out, offset, n);
            digest.update(buffer, position, n);
            position += n;
            offset += n;
            consumed += n;
        }
        assert consumed - start == out.length;
        return out;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
