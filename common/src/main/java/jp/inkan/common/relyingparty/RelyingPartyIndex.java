package jp.inkan.common.relyingparty;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * An immutable view of the registry for lookups on the request path: by TLS client certificate
 * fingerprint and by request signer certificate. Built anew on each registry change (the registry
 * is small), so a reader sees one version or the next, never a mix.
 */
public final class RelyingPartyIndex {

    /** A registered request signer certificate and its owner. */
    public record Signer(RelyingParty party, X509Certificate certificate, String fingerprint) {
    }

    public static final RelyingPartyIndex EMPTY = new RelyingPartyIndex(List.of());

    private final Map<String, RelyingParty> byId = new HashMap<>();
    private final Map<String, RelyingParty> byClientCertificate = new HashMap<>();
    private final Map<String, Signer> signersByFingerprint = new HashMap<>();
    private final List<Signer> signers = new ArrayList<>();

    public RelyingPartyIndex(Collection<RelyingParty> parties) {
        for (RelyingParty party : parties) {
            byId.put(party.id(), party);
            party.clientCertificateSha256().forEach(hash -> byClientCertificate.put(hash, party));
            for (String pem : party.requestSignerCertificates()) {
                X509Certificate certificate = certificate(pem);
                try {
                    Signer signer = new Signer(party, certificate, RelyingParty.fingerprint(certificate.getEncoded()));
                    signersByFingerprint.put(signer.fingerprint(), signer);
                    signers.add(signer);
                } catch (java.security.cert.CertificateEncodingException e) {
                    throw new IllegalArgumentException(e);
                }
            }
        }
    }

    public Optional<RelyingParty> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<RelyingParty> all() {
        return byId.values();
    }

    public int size() {
        return byId.size();
    }

    /** The party that registered this client certificate (lower-case hex SHA-256 of its DER). */
    public Optional<RelyingParty> byClientCertificate(String sha256) {
        return Optional.ofNullable(byClientCertificate.get(sha256));
    }

    public Optional<Signer> signerByFingerprint(String sha256) {
        return Optional.ofNullable(signersByFingerprint.get(sha256));
    }

    /** Registered signer certificates with this subject (for signed requests that carry no certificate). */
    public List<Signer> signersNamed(X500Principal subject) {
        return signers.stream().filter(s -> s.certificate().getSubjectX500Principal().equals(subject)).toList();
    }

    /** Parses one PEM certificate; the registry refuses records whose certificates do not parse. */
    public static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }
}
