package jp.inkan.ocsp.crypto;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPRequest;
import org.bouncycastle.asn1.ocsp.Request;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/** OCSP requests in, signed OCSP responses out (RFC 6960), through Bouncy Castle's ASN.1. */
public final class OcspCodec {

    private OcspCodec() {
    }

    /**
     * Decodes a DER OCSPRequest. Refuses (as malformed) anything that is not exactly one DER
     * OCSPRequest, requests with no or more than {@code maxCertIds} CertIDs, and nonces that are
     * empty or longer than {@code maxNonceLength} octets (RFC 8954 §2.1). A request signature is
     * only recorded here ({@link #signatureValid} checks it when the CA's access mode asks for one).
     */
    public static OcspMessages.Parsed parse(byte[] der, int maxCertIds, int maxNonceLength) {
        if (der == null || der.length == 0) {
            return new OcspMessages.Malformed("empty request");
        }
        OCSPRequest request;
        try (ASN1InputStream in = new ASN1InputStream(der, true)) {
            ASN1Primitive primitive = in.readObject();
            if (primitive == null || in.readObject() != null) {
                return new OcspMessages.Malformed("not one DER object");
            }
            request = OCSPRequest.getInstance(primitive);
            ASN1Sequence list = request.getTbsRequest().getRequestList();
            if (list.size() == 0) {
                return new OcspMessages.Malformed("no CertID");
            }
            if (list.size() > maxCertIds) {
                return new OcspMessages.Malformed("more than " + maxCertIds + " CertIDs");
            }
            List<OcspMessages.CertId> ids = new ArrayList<>();
            for (ASN1Encodable element : list) {
                CertID id = Request.getInstance(element).getReqCert();
                ids.add(new OcspMessages.CertId(id.getHashAlgorithm().getAlgorithm().getId(),
                        id.getIssuerNameHash().getOctets(), id.getIssuerKeyHash().getOctets(),
                        id.getSerialNumber().getValue(), id.getEncoded(ASN1Encoding.DER)));
            }
            byte[] nonce = null;
            Extensions extensions = request.getTbsRequest().getRequestExtensions();
            if (extensions != null) {
                Extension extension = extensions.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
                if (extension != null) {
                    nonce = extension.getExtnValue().getOctets();
                    int length = nonceLength(nonce);
                    if (length < 1 || length > maxNonceLength) {
                        return new OcspMessages.Malformed("nonce of " + length + " octets");
                    }
                }
            }
            return new OcspMessages.Request(List.copyOf(ids), nonce, signature(request, der));
        } catch (IOException | RuntimeException e) {
            return new OcspMessages.Malformed("undecodable: " + e.getClass().getSimpleName());
        }
    }

    private static OcspMessages.RequestSignature signature(OCSPRequest request, byte[] der) throws IOException {
        org.bouncycastle.asn1.ocsp.Signature signature = request.getOptionalSignature();
        if (signature == null) {
            return null;
        }
        List<byte[]> certificates = new ArrayList<>();
        if (signature.getCerts() != null) {
            for (ASN1Encodable certificate : signature.getCerts()) {
                certificates.add(certificate.toASN1Primitive().getEncoded(ASN1Encoding.DER));
            }
        }
        javax.security.auth.x500.X500Principal requestor = null;
        org.bouncycastle.asn1.x509.GeneralName name = request.getTbsRequest().getRequestorName();
        if (name != null && name.getTagNo() == org.bouncycastle.asn1.x509.GeneralName.directoryName) {
            requestor = new javax.security.auth.x500.X500Principal(name.getName().toASN1Primitive().getEncoded(ASN1Encoding.DER));
        }
        return new OcspMessages.RequestSignature(der, List.copyOf(certificates), requestor);
    }

    /** Whether {@code signer}'s key made the request's signature over its tbsRequest. */
    public static boolean signatureValid(OcspMessages.RequestSignature signature, java.security.cert.X509Certificate signer) {
        try {
            OCSPReq request = new OCSPReq(signature.request());
            return request.isSigned() && request.isSignatureValid(
                    new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder().build(signer.getPublicKey()));
        } catch (IOException | OCSPException | org.bouncycastle.operator.OperatorCreationException | RuntimeException e) {
            return false;
        }
    }

    /** RFC 8954: the nonce is an OCTET STRING inside extnValue; some old clients put raw octets there. */
    private static int nonceLength(byte[] extnValue) {
        try {
            ASN1Primitive inner = ASN1Primitive.fromByteArray(extnValue);
            if (inner instanceof ASN1OctetString octets) {
                return octets.getOctets().length;
            }
        } catch (IOException | RuntimeException e) {
            // raw octets
        }
        return extnValue.length;
    }

    /** An unsigned OCSPResponse carrying only an error status. */
    public static byte[] error(OcspMessages.ErrorStatus status) {
        try {
            return new OCSPRespBuilder().build(status.code(), null).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A successful response signed by {@code signer}: ResponderID byKey, the responder certificate
     * in {@code certs}, one SingleResponse per answer with the CertID echoed as sent (and the
     * invalidity date as a singleExtension when the answer has one), and the nonce extension echoed
     * when there is one. Times are whole seconds (GeneralizedTime without fractions).
     */
    public static byte[] sign(ResponseSigner signer, List<OcspMessages.Answer> answers, byte[] nonce,
                              Instant thisUpdate, Instant nextUpdate, Instant producedAt) {
        try {
            X509CertificateHolder responder = new X509CertificateHolder(signer.certificate().getEncoded());
            // ResponderID byKey: SHA-1 of the responder's subjectPublicKey BIT STRING value (RFC 6960 §4.2.1).
            byte[] keyHash = java.security.MessageDigest.getInstance("SHA-1")
                    .digest(responder.getSubjectPublicKeyInfo().getPublicKeyData().getBytes());
            BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(
                    new RespID(new ResponderID(new DEROctetString(keyHash))));
            for (OcspMessages.Answer answer : answers) {
                CertificateID id = new CertificateID(CertID.getInstance(answer.certId().encoded()));
                CertificateStatus status = switch (answer.status()) {
                    case GOOD -> CertificateStatus.GOOD;
                    case UNKNOWN -> new UnknownStatus();
                    case REVOKED -> answer.reasonCode() >= 0
                            ? new RevokedStatus(Date.from(seconds(answer.revokedAt())), answer.reasonCode())
                            : revokedWithoutReason(answer.revokedAt());
                };
                Extensions single = answer.invalidityDate() == null ? null : new Extensions(new Extension(
                        Extension.invalidityDate, false,
                        new ASN1GeneralizedTime(Date.from(seconds(answer.invalidityDate()))).getEncoded(ASN1Encoding.DER)));
                builder.addResponse(id, status, Date.from(seconds(thisUpdate)), Date.from(seconds(nextUpdate)), single);
            }
            if (nonce != null) {
                builder.setResponseExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false, new DEROctetString(nonce))));
            }
            BasicOCSPResp basic = builder.build(new DelegatingSigner(signer),
                    new X509CertificateHolder[] {responder}, Date.from(seconds(producedAt)));
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
        } catch (OCSPException | IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Cannot build the OCSP response", e);
        }
    }

    private static CertificateStatus revokedWithoutReason(Instant revokedAt) {
        return new RevokedStatus(new org.bouncycastle.asn1.ocsp.RevokedInfo(
                new ASN1GeneralizedTime(Date.from(seconds(revokedAt))), null));
    }

    private static Instant seconds(Instant instant) {
        return Instant.ofEpochSecond(instant.getEpochSecond());
    }

    /** Hands the to-be-signed bytes to the responder key (PKCS#11 or, in unit tests, software). */
    private static final class DelegatingSigner implements ContentSigner {
        private final ResponseSigner signer;
        private final AlgorithmIdentifier algorithm;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        DelegatingSigner(ResponseSigner signer) {
            this.signer = signer;
            this.algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(signer.signatureAlgorithm());
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return algorithm;
        }

        @Override
        public OutputStream getOutputStream() {
            return buffer;
        }

        @Override
        public byte[] getSignature() {
            return signer.sign(buffer.toByteArray());
        }
    }

    /** SHA-1 of the subjectPublicKey BIT STRING: the byKey ResponderID and the SHA-1 issuer key hash. */
    static byte[] publicKeyBits(java.security.PublicKey key) {
        return SubjectPublicKeyInfo.getInstance(key.getEncoded()).getPublicKeyData().getBytes();
    }
}
