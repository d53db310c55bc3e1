package jp.inkan.registration.application;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuedCertificate;
import jp.inkan.common.validation.FieldErrors;
import jp.inkan.registration.audit.AuditLog;
import jp.inkan.registration.audit.AuditLog.Action;
import jp.inkan.registration.audit.AuditLog.Actor;
import jp.inkan.registration.audit.AuditLog.Outcome;
import jp.inkan.registration.ca.CertificateAuthority;
import jp.inkan.registration.error.RegistrationException;
import jp.inkan.registration.error.RegistrationException.Kind;
import jp.inkan.registration.resident.ResidentHasher;

/**
 * Takes a card application from validation to issued certificates, exactly once per
 * (municipality, Idempotency-Key).
 *
 * <p>The application row is committed first (PENDING), so its id is stable across retries. The
 * issuing transaction then locks that row, asks ca-service for each certificate still missing
 * under the request id {@code <application id>:<type>} and commits the certificates, the
 * COMPLETED status and the audit entry together. A concurrent twin waits on the lock and then
 * replays the result; a retry after a failure asks ca-service again with the same request ids and
 * gets the certificates it may already have issued, never new ones.
 */
@ApplicationScoped
public class ApplicationService {

    /** The authentication certificate first: ca-service caps the signature certificate by it. */
    private static final List<CertificateType> ISSUE_ORDER = List.of(CertificateType.AUTHENTICATION,
            CertificateType.SIGNATURE);

    public record Submitted(ApplicationResult result, boolean replay) {
    }

    private record Attempt(Submitted submitted, boolean conflict, List<CertificateType> issued) {
    }

    private final ApplicationValidator validator;
    private final Applications applications;
    private final ResidentHasher residentHasher;
    private final CertificateAuthority ca;
    private final AuditLog audit;
    private final ObjectMapper json;
    private final Clock clock;
    private final MeterRegistry meters;

    public ApplicationService(ApplicationValidator validator, Applications applications, ResidentHasher residentHasher,
                              CertificateAuthority ca, AuditLog audit, ObjectMapper json, Clock clock,
                              MeterRegistry meters) {
        this.meters = meters;
        this.validator = validator;
        this.applications = applications;
        this.residentHasher = residentHasher;
        this.ca = ca;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    /**
     * Submits and measures: {@code inkan_registration_applications_seconds{outcome}} (accepted,
     * replayed, invalid, conflict, or the failure's kind) and, once committed,
     * {@code inkan_registration_certificates_issued_total{type}}.
     */
    public Submitted submit(Actor actor, String idempotencyKey, ApplicationRequest request) {
        long started = System.nanoTime();
        String outcome = "failed";
        try {
            Attempt attempt = submitOnce(actor, idempotencyKey, request);
            outcome = attempt.submitted().replay() ? "replayed" : "accepted";
            for (CertificateType type : attempt.issued()) {
                Counter.builder("inkan.registration.certificates.issued")
                        .description("Certificates issued for applications (committed)")
                        .tag("type", type.name().toLowerCase(Locale.ROOT)).register(meters).increment();
            }
            return attempt.submitted();
        } catch (RegistrationException e) {
            outcome = e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
            throw e;
        } finally {
            Timer.builder("inkan.registration.applications").description("Card applications, by outcome")
                    .tag("outcome", outcome).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofSeconds(30))
                    .register(meters).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private Attempt submitOnce(Actor actor, String idempotencyKey, ApplicationRequest request) {
        Instant now = clock.instant();
        FieldErrors errors = validator.validate(idempotencyKey, request, LocalDate.ofInstant(now, clock.getZone()));
        if (!errors.isEmpty()) {
            String fields = errors.list().stream().map(FieldErrors.FieldError::field).distinct()
                    .collect(Collectors.joining(", "));
            audit.recordAlone(actor, Action.SUBMIT_APPLICATION, Outcome.REFUSED, null, "invalid fields: " + fields);
            throw new RegistrationException(Kind.INVALID_REQUEST,
                    errors.list().size() + " field(s) of the application are invalid.", errors.list());
        }
        byte[] requestHash = sha256(request);
        UUID id = QuarkusTransaction.requiringNew().call(() -> applications.open(actor.municipalityCode(),
                idempotencyKey, requestHash, residentHasher.hash(request.residentRecordCode()), request.cardSerial(),
                now));
        Attempt attempt;
        try {
            attempt = QuarkusTransaction.requiringNew().call(() -> complete(actor, id, requestHash, request));
        } catch (RegistrationException e) {
            Outcome outcome = e.kind() == Kind.CA_REFUSED ? Outcome.REFUSED : Outcome.FAILED;
            audit.recordAlone(actor, Action.SUBMIT_APPLICATION, outcome, id, e.getMessage());
            throw e;
        }
        if (attempt.conflict()) {
            throw new RegistrationException(Kind.IDEMPOTENCY_CONFLICT,
                    "This Idempotency-Key was already used for a different application.");
        }
        return attempt;
    }

    private Attempt complete(Actor actor, UUID id, byte[] requestHash, ApplicationRequest request) {
        ApplicationEntity application = applications.lock(id);
        if (!MessageDigest.isEqual(application.requestSha256, requestHash)) {
            audit.record(actor, Action.SUBMIT_APPLICATION, Outcome.REFUSED, id,
                    "Idempotency-Key reused with a different body");
            return new Attempt(null, true, List.of());
        }
        if ("COMPLETED".equals(application.status)) {
            audit.record(actor, Action.SUBMIT_APPLICATION, Outcome.REPLAYED, id, "same Idempotency-Key and body");
            return new Attempt(new Submitted(applications.view(application), true), false, List.of());
        }
        List<ApplicationCertificateEntity> certificates = new ArrayList<>(applications.certificates(id));
        Set<String> done = certificates.stream().map(c -> c.key.type).collect(Collectors.toSet());
        List<String> issued = new ArrayList<>();
        List<CertificateType> issuedTypes = new ArrayList<>();
        for (CertificateType type : ISSUE_ORDER) {
            String csr = type == CertificateType.SIGNATURE ? request.csrs().signature() : request.csrs().authentication();
            if (csr == null || done.contains(type.name())) {
                continue;
            }
            IssuedCertificate certificate = ca.issue(issuanceRequest(id, type, csr, actor.municipalityCode(), request));
            certificates.add(applications.addCertificate(id, type, certificate.serial(), certificate.keyGeneration(),
                    certificate.notBefore(), certificate.notAfter(), certificate.certificatePem()));
            issued.add(type + " " + certificate.serial());
            issuedTypes.add(type);
        }
        application.status = "COMPLETED";
        application.completedAt = clock.instant();
        audit.record(actor, Action.SUBMIT_APPLICATION, Outcome.ACCEPTED, id, "issued " + String.join(", ", issued));
        return new Attempt(new Submitted(applications.view(application, certificates), false), false, issuedTypes);
    }

    /** The authentication certificate carries no personal data, so only what its validity needs is sent. */
    private static IssuanceRequest issuanceRequest(UUID applicationId, CertificateType type, String csr,
                                                   String municipalityCode, ApplicationRequest request) {
        IssuanceRequest.Holder h = request.holder();
        IssuanceRequest.Holder holder = type == CertificateType.SIGNATURE ? h
                : new IssuanceRequest.Holder(null, null, h.dateOfBirth(), null, null, null, h.adultWard());
        return new IssuanceRequest(applicationId + ":" + type.name().toLowerCase(), type, csr, municipalityCode,
                request.counterId(), request.cardSerial(), request.cardExpiry(), holder, null);
    }

    public ApplicationResult find(Actor actor, UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var found = applications.view(id, actor.municipalityCode());
            audit.record(actor, Action.READ_APPLICATION, found.isPresent() ? Outcome.ACCEPTED : Outcome.REFUSED, id,
                    found.isPresent() ? "read" : "no such application of this municipality");
            return found;
        }).orElseThrow(() -> new RegistrationException(Kind.NOT_FOUND, "No such application."));
    }

    public List<ApplicationResult> ofResident(Actor actor, String residentRecordCode) {
        if (residentRecordCode == null || !residentRecordCode.matches("[0-9]{11}")) {
            audit.recordAlone(actor, Action.QUERY_CERTIFICATES, Outcome.REFUSED, null, "invalid residentRecordCode");
            throw new RegistrationException(Kind.INVALID_REQUEST, "The query is invalid.",
                    List.of(new FieldErrors.FieldError("residentRecordCode", "must be 11 digits")));
        }
        byte[] hash = residentHasher.hash(residentRecordCode);
        return QuarkusTransaction.requiringNew().call(() -> {
            List<ApplicationResult> found = applications.ofResident(actor.municipalityCode(), hash);
            audit.record(actor, Action.QUERY_CERTIFICATES, Outcome.ACCEPTED, null, found.size() + " application(s)");
            return found;
        });
    }

    private byte[] sha256(ApplicationRequest request) {
        try {
            // Records serialise in declaration order: equal requests give equal bytes, whatever the client's JSON layout.
            return MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(request));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
