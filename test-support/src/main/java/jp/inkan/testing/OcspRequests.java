package jp.inkan.testing;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/** Builds OCSP requests and reads responses with Bouncy Castle, as a relying party would. */
public final class OcspRequests {

    public static final AlgorithmIdentifier SHA1 = new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1);
    public static final AlgorithmIdentifier SHA256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256);

    private OcspRequests() {
    }

    public static CertificateID id(X509Certificate issuer, BigInteger serial, AlgorithmIdentifier hash) throws Exception {
        return new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(hash),
                new X509CertificateHolder(issuer.getEncoded()), serial);
    }

    public static byte[] request(List<CertificateID> ids, byte[] nonce) throws Exception {
        OCSPReqBuilder builder = new OCSPReqBuilder();
        for (CertificateID id : ids) {
            builder.addRequest(id);
        }
        if (nonce != null) {
            // RFC 8954: extnValue holds the DER of an OCTET STRING holding the nonce.
            builder.setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                    new DEROctetString(new DEROctetString(nonce).getEncoded()))));
        }
        return builder.build().getEncoded();
    }

    public static byte[] request(X509Certificate issuer, BigInteger serial) throws Exception {
        return request(List.of(id(issuer, serial, SHA1)), null);
    }

    public static OCSPResp parse(byte[] der) throws Exception {
        return new OCSPResp(der);
    }

    /** The basic response, after checking its signature with the certificate it carries. */
    public static BasicOCSPResp verified(byte[] der) throws Exception {
        OCSPResp response = new OCSPResp(der);
        if (response.getStatus() != OCSPResp.SUCCESSFUL) {
            throw new AssertionError("OCSP status " + response.getStatus());
        }
        BasicOCSPResp basic = (BasicOCSPResp) response.getResponseObject();
        X509CertificateHolder signer = basic.getCerts()[0];
        if (!basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer))) {
            throw new AssertionError("bad signature");
        }
        return basic;
    }

    public static SingleResp single(byte[] der) throws Exception {
        return verified(der).getResponses()[0];
    }

    public static byte[] nonce(BasicOCSPResp basic) {
        Extension extension = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        return extension == null ? null : DEROctetString.getInstance(extension.getExtnValue().getOctets()).getOctets();
    }
}
