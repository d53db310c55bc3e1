package jp.inkan.common.ca;

import jp.inkan.common.CertificateType;

/**
 * Asks ca-service for a delegated OCSP responder certificate (RFC 6960 §4.2.2.2) for one CA key
 * generation. The key stays in the responder's token; only its CSR travels.
 *
 * @param csrPem PKCS#10, signed by the responder key (proof of possession)
 */
public record ResponderCertificateRequest(CertificateType ca, int keyGeneration, String csrPem) {
}
