package jp.inkan.ca.crypto;

import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;

/** The subject key identifier of a certificate: its extension, or RFC 5280 method 1 if it has none. */
final class SubjectKeyIds {

    private SubjectKeyIds() {
    }

    static byte[] of(X509CertificateHolder holder) {
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(holder.getExtensions());
        if (ski != null) {
            return ski.getKeyIdentifier();
        }
        return new BcX509ExtensionUtils().createSubjectKeyIdentifier(holder.getSubjectPublicKeyInfo()).getKeyIdentifier();
    }
}
