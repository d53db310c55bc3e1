package jp.inkan.ca.issuance;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import jp.inkan.ca.crypto.CsrDecoder;
import jp.inkan.ca.crypto.DecodedCsr;
import jp.inkan.ca.error.CaException;
import jp.inkan.ca.error.CaException.FieldError;
import jp.inkan.ca.municipality.Municipality;
import jp.inkan.ca.municipality.MunicipalityRegistry;
import jp.inkan.common.CertificateType;
import jp.inkan.common.LocalGovernmentCode;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.validation.FieldErrors;
import jp.inkan.common.validation.HolderFacts;

/** Checks every field of an issuance request and reports all that are wrong at once. */
@ApplicationScoped
public class IssuanceRequestValidator {

    private static final Pattern REQUEST_ID = Pattern.compile("[0-9A-Za-z._:-]{8,80}");
    private static final Pattern COUNTER_ID = Pattern.compile("[0-9A-Za-z]{1,10}");
    private static final Pattern CARD_SERIAL = Pattern.compile("[0-9A-Za-z]{1,32}");
    private static final Pattern SERIAL_HEX = Pattern.compile("[0-9a-fA-F]{1,40}");

    private final CsrDecoder csrDecoder;
    private final MunicipalityRegistry municipalities;

    public IssuanceRequestValidator(CsrDecoder csrDecoder, MunicipalityRegistry municipalities) {
        this.csrDecoder = csrDecoder;
        this.municipalities = municipalities;
    }

    public IssuanceCommand validate(IssuanceRequest request, LocalDate today) {
        if (request == null) {
            throw new CaException(CaException.Kind.INVALID_REQUEST, "The request has no body.",
                    List.of(new FieldError("", "is required")));
        }
        FieldErrors errors = new FieldErrors();
        errors.matches("requestId", request.requestId(), REQUEST_ID,
                "must be 8 to 80 letters, digits or . _ : - (the caller's id for this certificate)");
        CertificateType type = request.type();
        if (type == null) {
            errors.add("type", "is required (SIGNATURE or AUTHENTICATION)");
        }
        DecodedCsr csr = null;
        if (errors.required("csr", request.csr())) {
            CsrDecoder.Result result = csrDecoder.decode(request.csr());
            if (result instanceof CsrDecoder.Accepted accepted) {
                csr = accepted.csr();
            } else {
                errors.add("csr", ((CsrDecoder.Refused) result).reason());
            }
        }
        Municipality municipality = null;
        if (errors.required("municipalityCode", request.municipalityCode())) {
            Optional<String> problem = LocalGovernmentCode.problemWith(request.municipalityCode());
            if (problem.isPresent()) {
                errors.add("municipalityCode", problem.get());
            } else {
                municipality = municipalities.find(request.municipalityCode()).orElse(null);
                if (municipality == null) {
                    errors.add("municipalityCode", "is not a municipality this CA issues for");
                }
            }
        }
        errors.matches("counterId", request.counterId(), COUNTER_ID, "must be 1 to 10 letters or digits");
        errors.matches("cardSerial", request.cardSerial(), CARD_SERIAL, "must be 1 to 32 letters or digits");
        LocalDate cardExpiry = errors.date("cardExpiry", request.cardExpiry());
        if (cardExpiry != null && cardExpiry.isBefore(today)) {
            errors.add("cardExpiry", "is in the past: the card has expired");
        }
        String renewsSerial = null;
        if (request.renewsSerial() != null) {
            if (SERIAL_HEX.matcher(request.renewsSerial()).matches()) {
                renewsSerial = request.renewsSerial().toLowerCase().replaceFirst("^0+(?=.)", "");
            } else {
                errors.add("renewsSerial", "must be a hex serial of at most 20 octets");
            }
        }
        HolderFacts holder = HolderFacts.check(request.holder(), type == CertificateType.SIGNATURE, today, "holder.",
                errors);
        if (!errors.isEmpty()) {
            List<FieldError> violations = errors.list().stream().map(e -> new FieldError(e.field(), e.message())).toList();
            throw new CaException(CaException.Kind.INVALID_REQUEST,
                    violations.size() + " field(s) of the request are invalid.", violations);
        }
        return new IssuanceCommand(request.requestId(), type, csr, municipality, request.counterId(),
                request.cardSerial(), cardExpiry, holder, Optional.ofNullable(renewsSerial));
    }
}
