package jp.inkan.registration.application;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.util.regex.Pattern;
import jp.inkan.common.validation.FieldErrors;
import jp.inkan.common.validation.HolderFacts;
import jp.inkan.registration.csr.CsrCheck;

/**
 * Every rule an application must pass before anything is stored: the resident's facts by the
 * same rules ca-service applies, the card, the CSRs, and signature-certificate eligibility.
 */
@ApplicationScoped
public class ApplicationValidator {

    /** No signature certificate below this age (JPKI: 15). */
    static final int MINIMUM_SIGNATURE_AGE = 15;
    private static final Pattern RESIDENT_RECORD_CODE = Pattern.compile("[0-9]{11}");
    private static final Pattern CARD_SERIAL = Pattern.compile("[0-9A-Za-z]{1,32}");
    private static final Pattern COUNTER_ID = Pattern.compile("[0-9A-Za-z]{1,10}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");

    public FieldErrors validate(String idempotencyKey, ApplicationRequest request, LocalDate today) {
        FieldErrors errors = new FieldErrors();
        errors.matches("Idempotency-Key", idempotencyKey, IDEMPOTENCY_KEY,
                "header must be 1 to 128 visible ASCII characters");
        if (request == null) {
            errors.add("", "the request has no body");
            return errors;
        }
        errors.matches("residentRecordCode", request.residentRecordCode(), RESIDENT_RECORD_CODE, "must be 11 digits");
        errors.matches("cardSerial", request.cardSerial(), CARD_SERIAL, "must be 1 to 32 letters or digits");
        errors.matches("counterId", request.counterId(), COUNTER_ID, "must be 1 to 10 letters or digits");
        LocalDate cardExpiry = errors.date("cardExpiry", request.cardExpiry());
        if (cardExpiry != null && cardExpiry.isBefore(today)) {
            errors.add("cardExpiry", "is in the past: the card has expired");
        }
        errors.required("identityDocument", request.identityDocument());
        ApplicationRequest.Csrs csrs = request.csrs();
        boolean wantsSignature = csrs != null && csrs.signature() != null;
        HolderFacts holder = HolderFacts.check(request.holder(), wantsSignature, today, "holder.", errors);
        if (csrs == null || csrs.signature() == null && csrs.authentication() == null) {
            errors.add("csrs", "must hold a signature and/or an authentication CSR");
            return errors;
        }
        csr("csrs.authentication", csrs.authentication(), errors);
        if (wantsSignature && holder != null && holder.dateOfBirth() != null
                && HolderFacts.ageOn(holder.dateOfBirth(), today) < MINIMUM_SIGNATURE_AGE) {
            errors.add("csrs.signature", "no signature certificate for holders under " + MINIMUM_SIGNATURE_AGE);
        } else if (wantsSignature && holder != null && holder.adultWard()) {
            errors.add("csrs.signature", "no signature certificate for an adult ward");
        } else {
            csr("csrs.signature", csrs.signature(), errors);
        }
        if (csrs.signature() != null && csrs.signature().equals(csrs.authentication())) {
            errors.add("csrs", "the two certificates need two different keys");
        }
        return errors;
    }

    private static void csr(String field, String csr, FieldErrors errors) {
        if (csr != null) {
            CsrCheck.problemWith(csr).ifPresent(problem -> errors.add(field, problem));
        }
    }
}
