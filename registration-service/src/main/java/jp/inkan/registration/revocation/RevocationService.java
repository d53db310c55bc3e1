package jp.inkan.registration.revocation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.ca.CertificateStatusView;
import jp.inkan.common.ca.RevocationRequest;
import jp.inkan.common.validation.FieldErrors;
import jp.inkan.registration.application.ApplicationCertificateEntity;
import jp.inkan.registration.application.Applications;
import jp.inkan.registration.audit.AuditLog;
import jp.inkan.registration.audit.AuditLog.Action;
import jp.inkan.registration.audit.AuditLog.Actor;
import jp.inkan.registration.audit.AuditLog.Outcome;
import jp.inkan.registration.ca.CertificateAuthority;
import jp.inkan.registration.error.RegistrationException;
import jp.inkan.registration.error.RegistrationException.Kind;
import jp.inkan.registration.resident.ResidentHasher;

/**
 * Revocations, holds and resident-registry events of one municipality's certificates.
 *
 * <p>ca-service is the record: it stamps the time, refuses another municipality's certificate and
 * answers a repeat with the first revocation. So a request that failed half-way (ca-service down)
 * is simply repeated; nothing here needs undoing. After ca-service answers, its answer and the audit
 * entry commit together; a refusal or failure is audited on its own.
 */
@ApplicationScoped
public class RevocationService {

    /** What a municipality may ask for (JPKI CPS §4.9.9); hold has its own call, release is operator-only. */
    static final List<RevocationReason> MUNICIPALITY_REASONS = List.of(RevocationReason.UNSPECIFIED,
            RevocationReason.KEY_COMPROMISE, RevocationReason.AFFILIATION_CHANGED, RevocationReason.SUPERSEDED,
            RevocationReason.CESSATION_OF_OPERATION);
    private static final Pattern SERIAL = Pattern.compile("[0-9A-Fa-f]{1,40}");
    private static final Pattern RESIDENT_RECORD_CODE = Pattern.compile("[0-9]{11}");
    private static final Pattern CARD_SERIAL = Pattern.compile("[0-9A-Za-z]{1,32}");

    private final Applications applications;
    private final CertificateAuthority ca;
    private final AuditLog audit;
    private final ResidentHasher residentHasher;
    private final Clock clock;
    private final MeterRegistry meters;

    public RevocationService(Applications applications, CertificateAuthority ca, AuditLog audit,
                             ResidentHasher residentHasher, Clock clock, MeterRegistry meters) {
        this.meters = meters;
        this.applications = applications;
        this.ca = ca;
        this.audit = audit;
        this.residentHasher = residentHasher;
        this.clock = clock;
    }

    public CertificateStatusView revoke(Actor actor, String serial, String caName, RevocationCommand command) {
        FieldErrors errors = new FieldErrors();
        String hex = serial(errors, serial);
        Optional<CertificateType> type = type(errors, caName);
        RevocationReason reason = null;
        Instant invalidityDate = null;
        if (command == null) {
            errors.add("reason", "is required");
        } else {
            reason = reason(errors, command.reason());
            invalidityDate = invalidityDate(errors, command.invalidityDate());
        }
        refuseIfInvalid(actor, Action.REVOKE_CERTIFICATE, errors);
        ApplicationCertificateEntity certificate = certificate(actor, Action.REVOKE_CERTIFICATE, hex, type);
        RevocationRequest request = new RevocationRequest(actor.municipalityCode(), reason, invalidityDate);
        CertificateType ofCa = CertificateType.valueOf(certificate.key.type);
        return apply(actor, Action.REVOKE_CERTIFICATE, certificate, "", () -> ca.revoke(ofCa, hex, request));
    }

    public CertificateStatusView hold(Actor actor, String serial, String caName) {
        FieldErrors errors = new FieldErrors();
        String hex = serial(errors, serial);
        Optional<CertificateType> type = type(errors, caName);
        refuseIfInvalid(actor, Action.HOLD_CERTIFICATE, errors);
        ApplicationCertificateEntity certificate = certificate(actor, Action.HOLD_CERTIFICATE, hex, type);
        RevocationRequest request = new RevocationRequest(actor.municipalityCode(), RevocationReason.CERTIFICATE_HOLD,
                null);
        CertificateType ofCa = CertificateType.valueOf(certificate.key.type);
        return apply(actor, Action.HOLD_CERTIFICATE, certificate, "", () -> ca.hold(ofCa, hex, request));
    }

    /**
     * Revokes what the event ends among the resident's certificates issued here that are neither
     * revoked nor expired. Each revocation is recorded as ca-service answers it, so when ca-service
     * fails half-way a repeat of the event finishes the rest and answers the done ones unchanged.
     */
    public RevocationOutcome residentEvent(Actor actor, ResidentEvent event) {
        FieldErrors errors = new FieldErrors();
        ResidentEvent.Kind kind = null;
        if (event == null) {
            errors.add("event", "is required");
        } else {
            if (event.residentRecordCode() == null || !RESIDENT_RECORD_CODE.matcher(event.residentRecordCode()).matches()) {
                errors.add("residentRecordCode", "must be 11 digits");
            }
            kind = ResidentEvent.Kind.byName(event.event()).orElse(null);
            if (kind == null) {
                errors.add("event", "must be one of " + List.of(ResidentEvent.Kind.values()));
            } else if (kind.concernsOneCard()
                    && (event.cardSerial() == null || !CARD_SERIAL.matcher(event.cardSerial()).matches())) {
                errors.add("cardSerial", "is required for " + kind + ": 1 to 32 letters or digits");
            }
        }
        refuseIfInvalid(actor, Action.RESIDENT_EVENT, errors);
        ResidentEvent.Kind ends = kind;
        byte[] resident = residentHasher.hash(event.residentRecordCode());
        String card = ends.concernsOneCard() ? event.cardSerial() : null;
        List<ApplicationCertificateEntity> live = QuarkusTransaction.requiringNew().call(() -> applications
                .liveCertificatesOfResident(actor.municipalityCode(), resident, card, clock.instant()).stream()
                .filter(c -> ends.ends().contains(CertificateType.valueOf(c.key.type))).toList());
        if (live.isEmpty()) {
            audit.recordAlone(actor, Action.RESIDENT_EVENT, Outcome.ACCEPTED, null, ends + ": no live certificate");
            return new RevocationOutcome(ends.name(), ends.reason().rfcName(), List.of(), List.of());
        }
        RevocationRequest request = new RevocationRequest(actor.municipalityCode(), ends.reason(), null);
        List<CertificateStatusView> done = new ArrayList<>();
        List<RevocationOutcome.Refusal> refused = new ArrayList<>();
        for (ApplicationCertificateEntity certificate : live) {
            CertificateType ofCa = CertificateType.valueOf(certificate.key.type);
            try {
                done.add(apply(actor, Action.RESIDENT_EVENT, certificate, ends + ": ",
                        () -> ca.revoke(ofCa, certificate.serial, request)));
            } catch (RegistrationException e) {
                if (e.kind() != Kind.CA_REFUSED) {
                    throw e; // unavailable: a repeat of the event finishes the rest
                }
                // One certificate's refusal (audited) must not keep the event from ending the others.
                refused.add(new RevocationOutcome.Refusal(ofCa, certificate.serial, e.refusal().status(),
                        e.refusal().title()));
            }
        }
        return new RevocationOutcome(ends.name(), ends.reason().rfcName(), done, refused);
    }

    private CertificateStatusView apply(Actor actor, Action action, ApplicationCertificateEntity certificate,
                                        String context, Supplier<CertificateStatusView> call) {
        String what = context + certificate.key.type + " " + certificate.serial;
        CertificateStatusView view;
        try {
            view = call.get();
        } catch (RegistrationException e) {
            audit.recordAlone(actor, action, e.kind() == Kind.CA_REFUSED ? Outcome.REFUSED : Outcome.FAILED,
                    certificate.key.applicationId, what + ": " + e.getMessage());
            count(action, e.kind() == Kind.CA_REFUSED ? "refused" : "failed");
            throw e;
        }
        QuarkusTransaction.requiringNew().run(() -> {
            applications.recordStatus(certificate.key, view.status(), view.revokedAt(),
                    view.reason() == null ? null : view.reason().rfcName());
            audit.record(actor, action, view.unchanged() ? Outcome.REPLAYED : Outcome.ACCEPTED,
                    certificate.key.applicationId, what + ": " + view.status() + " "
                            + (view.reason() == null ? "" : view.reason().rfcName()) + " at " + view.revokedAt());
        });
        count(action, view.unchanged() ? "unchanged" : "changed");
        return view;
    }

    /** inkan_registration_revocations_total{action, outcome}: what ca-service answered, per certificate. */
    private void count(Action action, String outcome) {
        Counter.builder("inkan.registration.revocations")
                .description("Revocations and holds asked of ca-service, per certificate and outcome")
                .tags("action", action.name().toLowerCase(Locale.ROOT).replace('_', '-'), "outcome", outcome)
                .register(meters).increment();
    }

    /** The municipality's certificate with that serial; another municipality's is simply not found. */
    private ApplicationCertificateEntity certificate(Actor actor, Action action, String serial,
                                                     Optional<CertificateType> type) {
        List<ApplicationCertificateEntity> found = QuarkusTransaction.requiringNew().call(() -> applications
                .certificatesBySerial(actor.municipalityCode(), serial).stream()
                .filter(c -> type.isEmpty() || type.get().name().equals(c.key.type)).toList());
        if (found.isEmpty()) {
            audit.recordAlone(actor, action, Outcome.REFUSED, null, "no certificate " + serial + " of this municipality");
            throw new RegistrationException(Kind.NOT_FOUND, "No certificate with this serial was issued for this municipality.");
        }
        if (found.size() > 1) {
            audit.recordAlone(actor, action, Outcome.REFUSED, null, "serial " + serial + " names certificates of both CAs");
            throw new RegistrationException(Kind.INVALID_REQUEST, "The serial names certificates of both CAs.",
                    List.of(new FieldErrors.FieldError("ca", "is required for this serial: signature or authentication")));
        }
        return found.get(0);
    }

    private void refuseIfInvalid(Actor actor, Action action, FieldErrors errors) {
        if (errors.isEmpty()) {
            return;
        }
        String fields = errors.list().stream().map(FieldErrors.FieldError::field).distinct()
                .collect(Collectors.joining(", "));
        audit.recordAlone(actor, action, Outcome.REFUSED, null, "invalid fields: " + fields);
        throw new RegistrationException(Kind.INVALID_REQUEST,
                errors.list().size() + " field(s) of the request are invalid.", errors.list());
    }

    /** Lower-case hex without leading zeros, the form ca-service and the certificates' records use. */
    private static String serial(FieldErrors errors, String serial) {
        if (serial == null || !SERIAL.matcher(serial).matches()) {
            errors.add("serial", "must be 1 to 40 hexadecimal digits");
            return null;
        }
        String hex = serial.toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "");
        return hex;
    }

    private static Optional<CertificateType> type(FieldErrors errors, String ca) {
        if (ca == null || ca.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(CertificateType.valueOf(ca.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            errors.add("ca", "must be signature or authentication");
            return Optional.empty();
        }
    }

    private static RevocationReason reason(FieldErrors errors, String name) {
        if (name == null) {
            errors.add("reason", "is required");
            return null;
        }
        Optional<RevocationReason> reason = RevocationReason.byName(name).filter(MUNICIPALITY_REASONS::contains);
        if (reason.isEmpty()) {
            errors.add("reason", "must be one of " + MUNICIPALITY_REASONS.stream().map(RevocationReason::rfcName)
                    .collect(Collectors.joining(", ")) + " (holds have their own call)");
        }
        return reason.orElse(null);
    }

    private Instant invalidityDate(FieldErrors errors, String value) {
        if (value == null) {
            return null;
        }
        try {
            Instant instant = Instant.parse(value);
            if (instant.isAfter(clock.instant())) {
                errors.add("invalidityDate", "must not be in the future");
            }
            return instant;
        } catch (DateTimeParseException e) {
            errors.add("invalidityDate", "must be an ISO-8601 instant, e.g. 2026-04-01T09:00:00Z");
            return null;
        }
    }
}
