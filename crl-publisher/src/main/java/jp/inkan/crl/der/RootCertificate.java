package jp.inkan.crl.der;

import java.io.IOException;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * What a CRL copies from its issuer's certificate, as DER: the subject (the CRL's issuer) and the
 * signature AlgorithmIdentifier (the CRL's signature and signatureAlgorithm fields).
 */
public record RootCertificate(byte[] subject, byte[] signatureAlgorithm) {

    public static RootCertificate parse(byte[] der) throws IOException {
        X509CertificateHolder holder = new X509CertificateHolder(der);
        return new RootCertificate(holder.getSubject().getEncoded(ASN1Encoding.DER),
                holder.getSignatureAlgorithm().getEncoded(ASN1Encoding.DER));
    }
}
