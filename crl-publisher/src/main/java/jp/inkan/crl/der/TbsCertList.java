package jp.inkan.crl.der;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import jp.inkan.common.RevocationReason;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.x509.Extension;

/**
 * A DER TBSCertList (RFC 5280 §5.1.2) written as its entries stream in: entries go to a spill file
 * through a small buffer, so memory does not grow with their number; the header (whose length
 * depends on theirs) and the extensions are put around them at the end. The result is three parts
 * (header, entries file, extensions) read as one stream, never assembled in memory.
 */
public final class TbsCertList implements AutoCloseable {

    /**
     * id-holdinstruction-reject (RFC 5280 §5.3.2, 1.2.840.10040.2.3): JPKI never releases a hold
     * (the holder revokes at the municipal office), so a relying party should reject the certificate.
     */
    static final String HOLD_INSTRUCTION_REJECT = "1.2.840.10040.2.3";

    private static final byte[][] REASON_EXTENSIONS = new byte[11][];
    private static final byte[] HOLD_INSTRUCTION;

    static {
        try {
            for (RevocationReason reason : RevocationReason.values()) {
                REASON_EXTENSIONS[reason.code()] = new Extension(Extension.reasonCode, false,
                        new ASN1Enumerated(reason.code()).getEncoded(ASN1Encoding.DER)).getEncoded(ASN1Encoding.DER);
            }
            HOLD_INSTRUCTION = new Extension(Extension.instructionCode, false,
                    new org.bouncycastle.asn1.ASN1ObjectIdentifier(HOLD_INSTRUCTION_REJECT).getEncoded(ASN1Encoding.DER))
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Path spill;
    private final OutputStream entries;
    private final byte[] scratch = new byte[512];
    private long entryBytes;
    private long count;
    private byte[] header;
    private byte[] trailer;

    public TbsCertList(Path spill) throws IOException {
        this.spill = spill;
        this.entries = new BufferedOutputStream(Files.newOutputStream(spill), 256 * 1024);
    }

    /**
     * One revokedCertificates entry. {@code reasonCode} -1 or 0 (unspecified) writes no reason code
     * (RFC 5280 §5.3.1: absent rather than unspecified); certificateHold adds the hold instruction;
     * {@code invalidityDate} (epoch seconds) is written when not null.
     */
    public void entry(String serialHex, long revokedAt, int reasonCode, Long invalidityDate) throws IOException {
        byte[] b = scratch;
        // Extensions first into the tail of the scratch buffer, then the entry in front.
        int ext = 300;
        int e = ext;
        if (reasonCode > 0) {
            byte[] r = REASON_EXTENSIONS[reasonCode];
            System.arraycopy(r, 0, b, e, r.length);
            e += r.length;
            if (reasonCode == RevocationReason.CERTIFICATE_HOLD.code()) {
                System.arraycopy(HOLD_INSTRUCTION, 0, b, e, HOLD_INSTRUCTION.length);
                e += HOLD_INSTRUCTION.length;
            }
        }
        if (invalidityDate != null && reasonCode != RevocationReason.CERTIFICATE_HOLD.code()
                && reasonCode != RevocationReason.REMOVE_FROM_CRL.code()) {
            // Extension { invalidityDate, OCTET STRING { GeneralizedTime } }: 30 18 06 03 55 1d 18 04 11 <17 bytes>
            b[e++] = 0x30;
            b[e++] = 0x18;
            b[e++] = 0x06;
            b[e++] = 0x03;
            b[e++] = 0x55;
            b[e++] = 0x1d;
            b[e++] = 0x18;
            b[e++] = 0x04;
            b[e++] = 0x11;
            e = Der.generalizedTime(invalidityDate, b, e);
        }
        int extLength = e - ext;

        byte[] serial = new byte[24];
        int serialLength = Der.serialContent(serialHex, serial, 0);
        byte[] time = new byte[17];
        int timeLength = Der.time(revokedAt, time, 0);
        int content = Der.headerLength(serialLength) + serialLength + timeLength
                + (extLength > 0 ? Der.headerLength(extLength) + extLength : 0);
        int o = Der.header(b, 0, Der.SEQUENCE, content);
        o = Der.header(b, o, Der.INTEGER, serialLength);
        System.arraycopy(serial, 0, b, o, serialLength);
        o += serialLength;
        System.arraycopy(time, 0, b, o, timeLength);
        o += timeLength;
        if (extLength > 0) {
            o = Der.header(b, o, Der.SEQUENCE, extLength);
        }
        entries.write(b, 0, o);
        if (extLength > 0) {
            entries.write(b, ext, extLength);
        }
        entryBytes += o + extLength;
        count++;
    }

    public long count() {
        return count;
    }

    /**
     * Closes the entries and frames them: version v2, the signature algorithm and issuer (DER, as
     * the issuing root has them), thisUpdate, nextUpdate, then {@code [0] crlExtensions}.
     */
    public void finish(byte[] algorithmIdentifier, byte[] issuerName, long thisUpdate, long nextUpdate,
                       byte[] extensionsSequence) throws IOException {
        entries.close();
        byte[] version = {0x02, 0x01, 0x01};
        byte[] times = concat(Der.time(thisUpdate), Der.time(nextUpdate));
        byte[] listHeader = new byte[0];
        if (count > 0) {
            listHeader = new byte[Der.headerLength(entryBytes)];
            Der.header(listHeader, 0, Der.SEQUENCE, entryBytes);
        }
        trailer = Der.tlv(0xa0, extensionsSequence);
        long content = version.length + algorithmIdentifier.length + issuerName.length + times.length
                + listHeader.length + entryBytes + trailer.length;
        byte[] outer = new byte[Der.headerLength(content)];
        Der.header(outer, 0, Der.SEQUENCE, content);
        header = concat(outer, version, algorithmIdentifier, issuerName, times, listHeader);
    }

    public long length() {
        return header.length + entryBytes + trailer.length;
    }

    /** The whole TBSCertList, streamed (may be opened more than once). */
    public InputStream open() {
        try {
            return new SequenceInputStream(Collections.enumeration(List.of(new ByteArrayInputStream(header),
                    Files.newInputStream(spill), new ByteArrayInputStream(trailer))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        entries.close();
        Files.deleteIfExists(spill);
    }
}
