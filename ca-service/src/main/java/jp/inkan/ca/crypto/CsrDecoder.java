package jp.inkan.ca.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** Parses a PKCS#10 request and checks its self-signature. */
@ApplicationScoped
public class CsrDecoder {

    /** A CSR signature proves possession; still, no MD5 or SHA-1. */
    private static final Set<ASN1ObjectIdentifier> ACCEPTED_SIGNATURES = Set.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption,
            PKCSObjectIdentifiers.sha384WithRSAEncryption,
            PKCSObjectIdentifiers.sha512WithRSAEncryption,
            X9ObjectIdentifiers.ecdsa_with_SHA256,
            X9ObjectIdentifiers.ecdsa_with_SHA384);

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
        JcaPKCS10CertificationRequest request;
        try {
            request = new JcaPKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            return new Refused("is not a DER-encoded PKCS#10 request");
        }
        if (!ACCEPTED_SIGNATURES.contains(request.getSignatureAlgorithm().getAlgorithm())) {
            return new Refused("is signed with an algorithm this CA does not accept ("
                    + request.getSignatureAlgorithm().getAlgorithm().getId() + ")");
        }
        PublicKey publicKey;
        try {
            publicKey = request.getPublicKey();
            boolean valid = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey));
            if (!valid) {
                return new Refused("signature does not verify (no proof of possession)");
            }
            return new Accepted(new DecodedCsr(publicKey, request.getSubjectPublicKeyInfo().getEncoded()));
        } catch (PKCSException | OperatorCreationException | IOException | RuntimeException | java.security.GeneralSecurityException e) {
            return new Refused("public key or signature cannot be processed");
        }
    }

    private static Optional<byte[]> unarmor(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String body = text.replaceAll("-----(BEGIN|END) (NEW )?CERTIFICATE REQUEST-----", "")
                .replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(body);
            return der.length == 0 ? Optional.empty() : Optional.of(der);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
