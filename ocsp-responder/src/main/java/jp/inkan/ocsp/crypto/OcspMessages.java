package jp.inkan.ocsp.crypto;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** The parts of OCSP messages the responder reasons about, free of any ASN.1 library. */
public final class OcspMessages {

    private OcspMessages() {
    }

    /**
     * One CertID as the client sent it.
     *
     * @param hashAlgorithm dotted OID of the hash over issuer name and key
     * @param encoded       the CertID's DER, echoed unchanged in the answer
     */
    public record CertId(String hashAlgorithm, byte[] issuerNameHash, byte[] issuerKeyHash, BigInteger serial,
                         byte[] encoded) {

        /** Identifies the exact CertID encoding (hash algorithm and its parameters included). */
        public String cacheKey() {
            return HexFormat.of().formatHex(encoded);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof CertId id && Arrays.equals(encoded, id.encoded);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(encoded);
        }
    }

    /** A decoded request, or why it could not be. */
    public sealed interface Parsed permits Request, Malformed {
    }

    /**
     * @param nonce     the nonce extension's value (extnValue octets) to echo, or null
     * @param signature the RFC 6960 §4.1.2 optional signature, or null for an unsigned request
     */
    public record Request(List<CertId> certIds, byte[] nonce, RequestSignature signature) implements Parsed {
        public Request(List<CertId> certIds, byte[] nonce) {
            this(certIds, nonce, null);
        }

        public boolean hasNonce() {
            return nonce != null;
        }
    }

    /**
     * A signed request, to be verified against a registered signer certificate.
     *
     * @param request       the whole OCSPRequest DER (the codec re-reads it to verify)
     * @param certificates  the DER certificates the request carries (may be none)
     * @param requestorName the requestorName when it is a directoryName, else null
     */
    public record RequestSignature(byte[] request, List<byte[]> certificates,
                                   javax.security.auth.x500.X500Principal requestorName) {
    }

    public record Malformed(String reason) implements Parsed {
    }

    public enum Status {
        GOOD, REVOKED, UNKNOWN
    }

    /**
     * @param reasonCode     CRLReason code, or -1 for none
     * @param invalidityDate the invalidity date of a revoked certificate, sent as a singleExtension
     *                       (RFC 6960 §4.4.5 admits the CRL entry extensions there); null for none
     */
    public record Answer(CertId certId, Status status, Instant revokedAt, int reasonCode, Instant invalidityDate) {
        public static Answer good(CertId id) {
            return new Answer(id, Status.GOOD, null, -1, null);
        }

        public static Answer unknown(CertId id) {
            return new Answer(id, Status.UNKNOWN, null, -1, null);
        }
    }

    /** OCSPResponseStatus values of unsigned responses (RFC 6960 §4.2.1). */
    public enum ErrorStatus {
        MALFORMED_REQUEST(1), INTERNAL_ERROR(2), TRY_LATER(3), UNAUTHORIZED(6);

        private final int code;

        ErrorStatus(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
