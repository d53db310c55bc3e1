package jp.inkan.ca.issuance;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import jp.inkan.ca.audit.AuditLog;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.config.ClockProducer;
import jp.inkan.ca.crypto.CertificateSpec;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.error.CaException.Kind;
import jp.inkan.ca.hsm.CertificateSigner;
import jp.inkan.ca.inventory.CertificateStatus;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.ca.inventory.StoredCertificate;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
import jp.inkan.common.validation.HolderFacts;
import org.jboss.logging.Logger;

/**
 * Issues one certificate: checks the request, the key and the holder's eligibility, computes the
 * validity, signs in the HSM and records the certificate before returning it.
 *
 * <p>No database transaction is held while the HSM signs: the certificate is recorded in a short
 * transaction of its own, and only a recorded certificate is ever returned. A signed certificate
 * whose recording fails (serial collision, reused key, database down) is discarded unseen.
 */
@ApplicationScoped
public class IssuanceService {

    private static final Logger LOG = Logger.getLogger(IssuanceService.class);

    private final IssuanceRequestValidator validator;
    private final KeyPolicy keyPolicy;
    private final ValidityPolicy validityPolicy;
    private final JpkiProfile profile;
    private final KeyGenerations generations;
    private final CertificateStore store;
    private final SerialNumbers serials;
    private final X509Encoder encoder;
    private final CertificateSigner signer;
    private final CaConfig config;
    private final Clock clock;
    private final MeterRegistry meters;
    private final AuditLog audit;
    private final java.util.concurrent.ConcurrentMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    public IssuanceService(IssuanceRequestValidator validator, KeyPolicy keyPolicy, ValidityPolicy validityPolicy,
                           JpkiProfile profile, KeyGenerations generations, CertificateStore store,
                           SerialNumbers serials, X509Encoder encoder, CertificateSigner signer, CaConfig config,
                           Clock clock, MeterRegistry meters, AuditLog audit) {
        this.meters = meters;
        this.audit = audit;
        this.validator = validator;
        this.keyPolicy = keyPolicy;
        this.validityPolicy = validityPolicy;
        this.profile = profile;
        this.generations = generations;
        this.store = store;
        this.serials = serials;
        this.encoder = encoder;
        this.signer = signer;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Issues and times it: {@code inkan_ca_issuance_seconds{ca, outcome}}, outcome {@code issued},
     * {@code replayed} or the refusal's kind.
     */
    public IssuedCertificate issue(IssuanceRequest request) {
        long started = System.nanoTime();
        String outcome = "failed";
        try {
            Issued issued = issueTimed(request);
            outcome = issued.replayed() ? "replayed" : "issued";
            return issued.certificate();
        } catch (CaException e) {
            outcome = e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
            auditRefusal(request, e);
            throw e;
        } finally {
            String ca = request == null || request.type() == null ? "unknown" : request.type().name().toLowerCase(Locale.ROOT);
            timer(ca, outcome).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** inkan_ca_issuance_seconds{ca, outcome}, built once per pair rather than on every issuance. */
    private Timer timer(String ca, String outcome) {
        return timers.computeIfAbsent(ca + '/' + outcome, key -> Timer.builder("inkan.ca.issuance")
                .description("Certificate issuance requests, by CA and outcome")
                .tags("ca", ca, "outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(java.time.Duration.ofMillis(1)).maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .register(meters));
    }

    /**
     * A refused request leaves an audit entry of its own (it changed nothing else to commit with):
     * who asked, for which CA and request id, why, and which fields were wrong, never their values.
     */
    private void auditRefusal(IssuanceRequest request, CaException refusal) {
        if (refusal.kind() == Kind.INVENTORY_UNAVAILABLE) {
            return; // the database is what failed: the caller retries, and the audit could not be written either
        }
        String actor = request == null || request.municipalityCode() == null ? "unknown caller"
                : "municipality " + request.municipalityCode();
        String subject = (request == null || request.type() == null ? "unknown CA" : request.type().name())
                + " request " + (request == null ? null : request.requestId());
        StringBuilder detail = new StringBuilder(refusal.kind().name()).append(": ").append(refusal.getMessage());
        if (!refusal.violations().isEmpty()) {
            detail.append(" fields=").append(refusal.violations().stream().map(CaException.FieldError::field).toList());
        }
        try {
            audit.record(actor, "certificate.refused", subject, detail.toString());
        } catch (RuntimeException e) {
            LOG.errorf("A refused issuance request (%s) could not be audited: %s", subject, e.getMessage());
        }
    }

    private record Issued(IssuedCertificate certificate, boolean replayed) {
    }

    private Issued issueTimed(IssuanceRequest request) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ClockProducer.JAPAN);
        IssuanceCommand command = validator.validate(request, today);
        keyPolicy.check(command.csr().publicKey());
        checkEligibility(command, today);
        KeyGeneration issuer = generations.issuing(command.type()).orElseThrow(() -> new CaException(
                Kind.CA_NOT_READY, "The " + command.type() + " CA has no key generation yet (run the CA bootstrap)."));

        Optional<Instant> renewedNotAfter = command.renewsSerial().flatMap(serial -> renewed(command.type(), serial));
        Optional<Instant> authenticationNotAfter = command.type() == CertificateType.SIGNATURE
                ? store.validAuthenticationNotAfter(command.cardSerial(), now) : Optional.empty();
        ValidityPolicy.Window window = validityPolicy.window(now, command.holder().dateOfBirth(), command.cardExpiry(),
                renewedNotAfter, authenticationNotAfter).orElseThrow(() -> new CaException(Kind.NOT_ELIGIBLE,
                "The card or the holder's authentication certificate expires before the certificate could start."));

        List<CertificateSpec.Attribute> subject = profile.subject(command, now, store.nextSubjectSequence());
        String subjectDn = encoder.render(subject);
        byte[] keyHash = sha256(command.csr().subjectPublicKeyInfo());
        for (int attempt = 1; attempt <= config.issuance().serialAttempts(); attempt++) {
            BigInteger serial = serials.next();
            String serialHex = CertificateStore.hex(serial);
            CertificateSpec spec = profile.certificate(command, issuer, serial, window, subject);
            byte[] der = encoder.endEntity(spec, tbs -> signer.sign(issuer.keyAlias(), issuer.algorithm(), tbs));
            CertificateStore.Outcome outcome = store.record(new CertificateStore.NewCertificate(command.requestId(), command.type(),
                    issuer.id(), issuer.generation(), issuer.keyId(), serialHex, subjectDn, window.notBefore(), window.notAfter(),
                    command.municipality().code(), command.cardSerial(), keyHash, der, now));
            switch (outcome) {
                case RECORDED -> {
                    return new Issued(new IssuedCertificate(command.type(), serialHex, issuer.generation(),
                            subjectDn, window.notBefore(), window.notAfter(), X509Encoder.pem(der)), false);
                }
                case SERIAL_TAKEN -> LOG.warnf("Serial collision in the %s CA (attempt %d); signing again with a new serial",
                        command.type(), attempt);
                case KEY_TAKEN -> throw new CaException(Kind.KEY_REUSED,
                        "The CSR's public key is already certified; every certificate needs a fresh key.");
                case REQUEST_TAKEN -> {
                    return new Issued(replay(command, keyHash), true);
                }
            }
        }
        throw new CaException(Kind.SERIAL_EXHAUSTED, "No unused serial number after "
                + config.issuance().serialAttempts() + " attempts.");
    }

    /**
     * A repeated request id: the certificate issued the first time, if this is the same request
     * (same CA, same key). The certificate just signed for the repeat is discarded unrecorded.
     */
    private IssuedCertificate replay(IssuanceCommand command, byte[] keyHash) {
        StoredCertificate first = store.issuedFor(command.requestId()).orElseThrow(() -> new CaException(
                Kind.INVENTORY_UNAVAILABLE, "The certificate recorded for request " + command.requestId() + " vanished."));
        if (first.ca() != command.type() || !MessageDigest.isEqual(first.publicKeySha256(), keyHash)) {
            throw new CaException(Kind.REQUEST_ID_REUSED, "Request id " + command.requestId()
                    + " was already used for a different certificate request.");
        }
        LOG.infof("Request %s repeated: answering with the certificate issued for it, serial %s",
                command.requestId(), first.serial());
        return view(first);
    }

    /** A recorded certificate as the API returns it. */
    public IssuedCertificate view(StoredCertificate stored) {
        int generation = generations.all().stream().filter(g -> g.id() == stored.keyGenerationId())
                .mapToInt(KeyGeneration::generation).findFirst().orElse(0);
        return new IssuedCertificate(stored.ca(), stored.serial(), generation, stored.subjectDn(), stored.notBefore(),
                stored.notAfter(), X509Encoder.pem(stored.der()));
    }

    private void checkEligibility(IssuanceCommand command, LocalDate today) {
        if (command.type() != CertificateType.SIGNATURE) {
            return;
        }
        int age = HolderFacts.ageOn(command.holder().dateOfBirth(), today);
        if (age < config.issuance().minimumSignatureAge()) {
            throw new CaException(Kind.NOT_ELIGIBLE, "No signature certificate for holders under "
                    + config.issuance().minimumSignatureAge() + " (the holder is " + age + ").");
        }
        if (command.holder().adultWard()) {
            throw new CaException(Kind.NOT_ELIGIBLE, "No signature certificate for an adult ward.");
        }
    }

    private Optional<Instant> renewed(CertificateType type, String serial) {
        StoredCertificate current = store.find(type, serial).orElseThrow(() -> new CaException(Kind.INVALID_REQUEST,
                "The certificate to renew is unknown.",
                List.of(new CaException.FieldError("renewsSerial", "is not a certificate of the " + type + " CA"))));
        // A revoked certificate is replaced, not renewed: no extra birthday.
        return current.status() == CertificateStatus.VALID ? Optional.of(current.notAfter()) : Optional.empty();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
