package jp.inkan.crl.der;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;

/** The crlExtensions of a TBSCertList (RFC 5280 §5.2), DER-encoded. */
public final class CrlExtensions {

    private CrlExtensions() {
    }

    /**
     * @param authorityKeyId    the issuing key generation's key identifier
     * @param number            the CRL number of this scope
     * @param partitionFullName a partition's distribution point name (DER GeneralNames) for its
     *                          critical Issuing Distribution Point; null for a full CRL
     * @param deltaBase         a delta CRL's base CRL number (critical Delta CRL Indicator); null for a complete CRL
     * @param freshestUrl       on a complete CRL, where its delta CRLs are (Freshest CRL); null when there are none
     */
    public static byte[] encode(byte[] authorityKeyId, BigInteger number, byte[] partitionFullName, BigInteger deltaBase,
                                String freshestUrl) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(authorityKeyId));
            extensions.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            if (partitionFullName != null) {
                extensions.addExtension(Extension.issuingDistributionPoint, true, new IssuingDistributionPoint(
                        new DistributionPointName(GeneralNames.getInstance(partitionFullName)), false, false, null, false, false));
            }
            if (deltaBase != null) {
                extensions.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(deltaBase));
            } else if (freshestUrl != null) {
                extensions.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {
                        new DistributionPoint(new DistributionPointName(new GeneralNames(new GeneralName(
                                GeneralName.uniformResourceIdentifier, freshestUrl))), null, null)}));
            }
            return extensions.generate().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
