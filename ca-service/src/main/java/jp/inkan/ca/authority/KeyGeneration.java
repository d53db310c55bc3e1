package jp.inkan.ca.authority;

import java.time.Instant;
import jp.inkan.ca.hsm.SigningAlgorithm;
import jp.inkan.common.CertificateType;

/**
 * One key of one CA and its self-signed root. From {@code issuingFrom} on the newest such
 * generation issues; the link certificates (null for generation 01) tie it to the previous one. Generations of a CA share the subject DN and are
 * told apart by the subject key identifier.
 */
public record KeyGeneration(
        long id,
        CertificateType ca,
        int generation,
        String keyAlias,
        SigningAlgorithm algorithm,
        String subjectDn,
        byte[] subjectKeyIdentifier,
        byte[] certificateDer,
        Instant notBefore,
        Instant notAfter,
        Instant issuingFrom,
        byte[] linkFromPreviousDer,
        byte[] linkToPreviousDer,
        Instant retiredAt) {

    public boolean retired() {
        return retiredAt != null;
    }

    /** Hex subject key identifier: how events and OCSP CertIDs tell generations apart. */
    public String keyId() {
        return java.util.HexFormat.of().formatHex(subjectKeyIdentifier);
    }

    /** "01", "02", … as the generation is named in JPKI. */
    public String label() {
        return generation < 10 ? "0" + generation : Integer.toString(generation); // String.format is slow here
    }
}
