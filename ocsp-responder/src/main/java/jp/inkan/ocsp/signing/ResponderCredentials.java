package jp.inkan.ocsp.signing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jp.inkan.common.ca.ResponderCertificate;
import jp.inkan.common.ca.ResponderCertificateRequest;
import jp.inkan.ocsp.audit.AuditSink;
import jp.inkan.ocsp.audit.AuditTrail;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.ocsp.crypto.Csrs;
import jp.inkan.ocsp.crypto.ResponseSigner;
import jp.inkan.common.tls.TlsFiles;
import jp.inkan.ocsp.issuers.CaServiceApi;
import jp.inkan.ocsp.issuers.ServedIssuer;
import org.jboss.logging.Logger;

/**
 * The delegated responder credential (key + certificate) of each served CA key generation.
 *
 * <p>One key per generation (alias {@code <prefix>-<ca>-g<NN>} in the token): a delegated
 * responder certificate must be issued by the very key whose certificates it answers for (RFC 6960
 * §4.2.2.2), so each generation needs its own certificate anyway, and separate keys keep a problem
 * with one generation's key (or its retirement) from touching the others. Renewal re-certifies the
 * same key: the certificate is short-lived (ca-service: 7 days) and the key never leaves the token.
 *
 * <p>A certificate is renewed once less than {@code renew-when-remaining} of its life is left
 * (0.3 of 7 days: about 2 days), while the old one still serves; the switch is one map write, so
 * every response is signed by either the old or the new credential, never a half of each. The
 * current certificate is kept in the state directory so a restart does not ask ca-service again.
 */
@ApplicationScoped
public class ResponderCredentials {

    private static final Logger LOG = Logger.getLogger(ResponderCredentials.class);
    private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";

    /** A key and the certificate currently certifying it. */
    public record Credential(String label, ResponderKey key, X509Certificate certificate) implements ResponseSigner {
        @Override
        public String signatureAlgorithm() {
            return key.signatureAlgorithm();
        }

        @Override
        public byte[] sign(byte[] data) {
            return key.sign(data);
        }
    }

    private final ResponderKeys keys;
    private final CaServiceApi ca;
    private final Clock clock;
    private final double renewWhenRemaining;
    private final String aliasPrefix;
    private final Path dir;
    private final Map<String, Credential> current = new ConcurrentHashMap<>();
    private volatile long renewals;
    private final AuditSink audit;

    @Inject
    public ResponderCredentials(ResponderKeys keys, CaServiceApi ca, Clock clock, OcspConfig config, AuditTrail audit) {
        this(keys, ca, clock, config.responderCertificates().renewWhenRemaining(),
                config.responderCertificates().hsm().keyAliasPrefix(), config.store().stateDir().resolve("responders"), audit);
    }

    public ResponderCredentials(ResponderKeys keys, CaServiceApi ca, Clock clock, double renewWhenRemaining,
                                String aliasPrefix, Path dir) {
        this(keys, ca, clock, renewWhenRemaining, aliasPrefix, dir, AuditSink.NONE);
    }

    public ResponderCredentials(ResponderKeys keys, CaServiceApi ca, Clock clock, double renewWhenRemaining,
                                String aliasPrefix, Path dir, AuditSink audit) {
        this.audit = audit;
        this.keys = keys;
        this.ca = ca;
        this.clock = clock;
        this.renewWhenRemaining = renewWhenRemaining;
        this.aliasPrefix = aliasPrefix;
        this.dir = dir;
    }

    public Optional<Credential> signerFor(ServedIssuer issuer) {
        return Optional.ofNullable(current.get(issuer.label()));
    }

    /** Whether every served generation has a certificate valid now. */
    public boolean complete(List<ServedIssuer> served) {
        return complete(served, issuer -> true);
    }

    /**
     * Whether every served generation that {@code hasCertificates} has a certificate valid now. A
     * generation that issued nothing yet (a rotation before its switch) does not count: nobody can
     * ask about its certificates, and counting it would take every replica out of service at once
     * while they obtain its responder certificate (or for as long as ca-service cannot issue one).
     */
    public boolean complete(List<ServedIssuer> served, java.util.function.Predicate<ServedIssuer> hasCertificates) {
        Instant now = clock.instant();
        return served.stream().filter(hasCertificates).allMatch(issuer -> {
            Credential credential = current.get(issuer.label());
            return credential != null && credential.certificate().getNotAfter().toInstant().isAfter(now);
        });
    }

    /** Certificates obtained from ca-service since start. */
    public long renewals() {
        return renewals;
    }

    /**
     * Makes sure each served generation has a credential that is not due for renewal. A failure
     * for one generation (ca-service or token down) is logged and leaves its old credential in use.
     */
    public void ensure(List<ServedIssuer> served) {
        for (ServedIssuer issuer : served) {
            try {
                ensure(issuer);
            } catch (RuntimeException e) {
                LOG.warnf("Responder certificate for %s not renewed: %s", issuer.label(), e.getMessage());
            }
        }
    }

    private void ensure(ServedIssuer issuer) {
        Credential credential = current.get(issuer.label());
        if (credential == null) {
            credential = loadSaved(issuer).orElse(null);
            if (credential != null) {
                current.put(issuer.label(), credential);
            }
        }
        if (credential != null && !due(credential.certificate())) {
            return;
        }
        renew(issuer);
    }

    private boolean due(X509Certificate certificate) {
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        Duration life = Duration.between(notBefore, notAfter);
        Instant renewAt = notAfter.minusMillis((long) (life.toMillis() * renewWhenRemaining));
        return !clock.instant().isBefore(renewAt);
    }

    private void renew(ServedIssuer issuer) {
        String alias = aliasPrefix + "-" + issuer.label();
        Optional<ResponderKey> existing = keys.find(alias);
        ResponderKey key = existing.orElseGet(keys::generate);
        String csr = Csrs.pem("CN=ocsp-responder " + issuer.label(), key.publicKey(), key.signatureAlgorithm(), key::sign);
        ResponderCertificate issued = ca.issueResponderCertificate(
                new ResponderCertificateRequest(issuer.ca(), issuer.generation(), csr));
        X509Certificate certificate = TlsFiles.certificate(issued.certificatePem());
        if (!fits(certificate, key, issuer)) {
            throw new IllegalStateException("ca-service returned a certificate that does not fit " + issuer.label());
        }
        if (existing.isEmpty()) {
            keys.store(key, alias, certificate);
            audit.record("responder.key-generated", alias, "new " + key.signatureAlgorithm() + " key in the token for "
                    + issuer.label());
        }
        save(issuer, certificate);
        current.put(issuer.label(), new Credential(issuer.label(), key, certificate));
        renewals++;
        audit.record("responder.certificate-issued", issuer.label(), "serial " + certificate.getSerialNumber().toString(16)
                + ", valid " + certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant()
                + (existing.isPresent() ? ", key kept" : ", new key"));
        LOG.infof("Responder certificate for %s: serial %s, valid until %s", issuer.label(),
                certificate.getSerialNumber().toString(16), certificate.getNotAfter().toInstant());
    }

    /** Issued by the generation's key, for our key, for OCSP signing, and valid now. */
    private boolean fits(X509Certificate certificate, ResponderKey key, ServedIssuer issuer) {
        try {
            certificate.verify(issuer.root().getPublicKey());
            List<String> usages = certificate.getExtendedKeyUsage();
            Instant now = clock.instant();
            return java.util.Arrays.equals(certificate.getPublicKey().getEncoded(), key.publicKey().getEncoded()) && usages != null && usages.contains(OCSP_SIGNING)
                    && certificate.getIssuerX500Principal().equals(issuer.root().getSubjectX500Principal())
                    && !now.isBefore(certificate.getNotBefore().toInstant())
                    && now.isBefore(certificate.getNotAfter().toInstant());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private Optional<Credential> loadSaved(ServedIssuer issuer) {
        Path file = dir.resolve(issuer.label() + ".pem");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            X509Certificate certificate = TlsFiles.certificate(Files.readString(file));
            Optional<ResponderKey> key = keys.find(aliasPrefix + "-" + issuer.label());
            if (key.isPresent() && fits(certificate, key.get(), issuer)) {
                LOG.infof("Responder certificate for %s from %s, valid until %s", issuer.label(), file,
                        certificate.getNotAfter().toInstant());
                return Optional.of(new Credential(issuer.label(), key.get(), certificate));
            }
        } catch (IOException | RuntimeException e) {
            LOG.infof("Saved responder certificate %s unusable (%s)", file, e.getMessage());
        }
        return Optional.empty();
    }

    private void save(ServedIssuer issuer, X509Certificate certificate) {
        try {
            Files.createDirectories(dir);
            Path temp = dir.resolve(issuer.label() + ".pem.tmp");
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            Files.writeString(temp, pem);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, dir.resolve(issuer.label() + ".pem"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | CertificateEncodingException e) {
            // Only costs a certificate request at the next start.
            LOG.warnf("Cannot save the responder certificate of %s: %s", issuer.label(), e.getMessage());
        }
    }
}
