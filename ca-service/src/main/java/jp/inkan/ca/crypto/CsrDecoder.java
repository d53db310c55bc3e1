package jp.inkan.ca.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/** Parses a PKCS#10 request and checks its self-signature. */
@ApplicationScoped
public class CsrDecoder {

    /** A CSR signature proves possession; still, no MD5 or SHA-1. OID to JCA algorithm name. */
    private static final Map<ASN1ObjectIdentifier, String> ACCEPTED_SIGNATURES = Map.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
            PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
            PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA",
            X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA");

    private static final int MAX_DER_BYTES = 16 * 1024;

    /** The decoded request, or the reason it is refused. */
    public sealed interface Result permits Accepted, Refused {
    }

    public record Accepted(DecodedCsr csr) implements Result {
    }

    public record Refused(String reason) implements Result {
    }

    public Result decode(String pemOrBase64) {
        byte[] der = unarmor(pemOrBase64).orElse(null);
        if (der == null) {
            return new Refused("is not a PEM or base64 PKCS#10 request");
        }
        if (der.length > MAX_DER_BYTES) {
            return new Refused("is larger than " + MAX_DER_BYTES + " bytes");
        }
        CertificationRequest request;
        try {
            request = CertificationRequest.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException | RuntimeException e) {
            return new Refused("is not a DER-encoded PKCS#10 request");
        }
        String algorithm = ACCEPTED_SIGNATURES.get(request.getSignatureAlgorithm().getAlgorithm());
        if (algorithm == null) {
            return new Refused("is signed with an algorithm this CA does not accept ("
                    + request.getSignatureAlgorithm().getAlgorithm().getId() + ")");
        }
        try {
            SubjectPublicKeyInfo keyInfo = request.getCertificationRequestInfo().getSubjectPublicKeyInfo();
            byte[] spki = keyInfo.getEncoded(ASN1Encoding.DER);
            String keyAlgorithm = algorithm.endsWith("RSA") ? "RSA" : "EC";
            PublicKey publicKey = KeyFactory.getInstance(keyAlgorithm).generatePublic(new X509EncodedKeySpec(spki));
            Signature signature = Signature.getInstance(algorithm);
            signature.initVerify(publicKey);
            signature.update(request.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
            if (!signature.verify(request.getSignature().getOctets())) {
                return new Refused("signature does not verify (no proof of possession)");
            }
            return new Accepted(new DecodedCsr(publicKey, spki));
        } catch (IOException | RuntimeException | GeneralSecurityException e) {
            return new Refused("public key or signature cannot be processed");
        }
    }

    private static Optional<byte[]> unarmor(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String body = text;
        int begin = body.indexOf("-----BEGIN ");
        if (begin >= 0) {
            int headerEnd = body.indexOf("-----", begin + 11);
            int end = body.indexOf("-----END ", headerEnd + 5);
            if (headerEnd < 0 || end < 0) {
                return Optional.empty();
            }
            String label = body.substring(begin + 11, headerEnd);
            if (!label.equals("CERTIFICATE REQUEST") && !label.equals("NEW CERTIFICATE REQUEST")) {
                return Optional.empty();
            }
            body = body.substring(headerEnd + 5, end);
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(body);
            return der.length == 0 ? Optional.empty() : Optional.of(der);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
