package jp.inkan.registration.csr;

import java.util.Base64;
import java.util.Optional;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Refuses a CSR that is not a well-formed PKCS#10 whose signature verifies, so such an
 * application is rejected before anything is stored. Key policy stays with ca-service.
 */
public final class CsrCheck {

    private CsrCheck() {
    }

    /** Why the CSR is unusable, or empty when it is a PKCS#10 with a valid self-signature. */
    public static Optional<String> problemWith(String csr) {
        byte[] der;
        try {
            String body = csr.replaceAll("-----(BEGIN|END) (NEW )?CERTIFICATE REQUEST-----", "").replaceAll("\\s", "");
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            return Optional.of("is not a PEM or base64 PKCS#10 request");
        }
        try {
            PKCS10CertificationRequest request = new PKCS10CertificationRequest(der);
            boolean valid = request.isSignatureValid(new JcaContentVerifierProviderBuilder()
                    .build(request.getSubjectPublicKeyInfo()));
            return valid ? Optional.empty() : Optional.of("signature does not verify (no proof of possession)");
        } catch (Exception e) {
            return Optional.of("is not a well-formed PKCS#10 request");
        }
    }
}
