package jp.inkan.ca.issuance;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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
import jp.inkan.common.Sex;
import jp.inkan.common.ca.IssuanceRequest;

/** Checks every field of an issuance request and reports all that are wrong at once. */
@ApplicationScoped
public class IssuanceRequestValidator {

    static final int MAX_ADDRESS = 200;
    static final int MAX_NAME = 100;
    static final int MAX_AGE = 150;
    private static final Pattern COUNTER_ID = Pattern.compile("[0-9A-Za-z]{1,10}");
    private static final Pattern CARD_SERIAL = Pattern.compile("[0-9A-Za-z]{1,32}");
    private static final Pattern FLAGS = Pattern.compile("[01]*");
    private static final Pattern SERIAL_HEX = Pattern.compile("[0-9a-fA-F]{1,40}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final String FULL_WIDTH_SPACE = "\u3000";

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
        Errors errors = new Errors();
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
        IssuanceCommand.Holder holder = holder(request.holder(), type, today, errors);
        if (!errors.list.isEmpty()) {
            throw new CaException(CaException.Kind.INVALID_REQUEST,
                    errors.list.size() + " field(s) of the request are invalid.", errors.list);
        }
        return new IssuanceCommand(type, csr, municipality, request.counterId(), request.cardSerial(), cardExpiry,
                holder, Optional.ofNullable(renewsSerial));
    }

    private IssuanceCommand.Holder holder(IssuanceRequest.Holder holder, CertificateType type, LocalDate today,
                                          Errors errors) {
        if (holder == null) {
            errors.add("holder", "is required");
            return null;
        }
        boolean personalData = type == CertificateType.SIGNATURE;
        LocalDate dateOfBirth = errors.date("holder.dateOfBirth", holder.dateOfBirth());
        if (dateOfBirth != null && dateOfBirth.isAfter(today)) {
            errors.add("holder.dateOfBirth", "is in the future");
        } else if (dateOfBirth != null && dateOfBirth.isBefore(today.minusYears(MAX_AGE))) {
            errors.add("holder.dateOfBirth", "is more than " + MAX_AGE + " years ago");
        }
        String name = holder.name();
        if ((personalData || name != null) && errors.text("holder.name", name, MAX_NAME)
                && (name.indexOf(FULL_WIDTH_SPACE) <= 0 || name.endsWith(FULL_WIDTH_SPACE))) {
            errors.add("holder.name", "must be the family and given name separated by a full-width space (U+3000)");
        }
        String nameFlags = flags("holder.nameSubstitutionFlags", holder.nameSubstitutionFlags(), name, errors);
        Sex sex = null;
        if (personalData || holder.sex() != null) {
            sex = Sex.ofCode(holder.sex()).orElse(null);
            if (sex == null) {
                errors.add("holder.sex", "must be 1 (male), 2 (female) or 3 (unknown)");
            }
        }
        String address = holder.address();
        if (personalData || address != null) {
            errors.text("holder.address", address, MAX_ADDRESS);
        }
        String addressFlags = flags("holder.addressSubstitutionFlags", holder.addressSubstitutionFlags(), address, errors);
        return new IssuanceCommand.Holder(name, nameFlags, dateOfBirth, sex, address, addressFlags,
                Boolean.TRUE.equals(holder.adultWard()));
    }

    /** One 0/1 per character of {@code text}; all zeros when not given. */
    private static String flags(String field, String flags, String text, Errors errors) {
        if (text == null) {
            return null;
        }
        if (flags == null) {
            return "0".repeat(length(text));
        }
        if (!FLAGS.matcher(flags).matches()) {
            errors.add(field, "must contain only 0 and 1");
        } else if (flags.length() != length(text)) {
            errors.add(field, "must have one flag per character (" + length(text) + "), not " + flags.length());
        }
        return flags;
    }

    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    private static final class Errors {
        final List<FieldError> list = new ArrayList<>();

        void add(String field, String message) {
            list.add(new FieldError(field, message));
        }

        boolean required(String field, String value) {
            if (value == null || value.isBlank()) {
                add(field, "is required");
                return false;
            }
            return true;
        }

        /** Present, at most {@code max} characters, no control characters; true when so. */
        boolean text(String field, String value, int max) {
            if (!required(field, value)) {
                return false;
            }
            if (length(value) > max) {
                add(field, "is longer than " + max + " characters");
                return false;
            }
            if (CONTROL.matcher(value).find()) {
                add(field, "contains control characters");
                return false;
            }
            return true;
        }

        void matches(String field, String value, Pattern pattern, String message) {
            if (required(field, value) && !pattern.matcher(value).matches()) {
                add(field, message);
            }
        }

        LocalDate date(String field, String value) {
            if (!required(field, value)) {
                return null;
            }
            try {
                return LocalDate.parse(value);
            } catch (DateTimeParseException e) {
                add(field, "must be an ISO-8601 date (YYYY-MM-DD)");
                return null;
            }
        }
    }
}
