package jp.inkan.common.ca;

import jp.inkan.common.CertificateType;

/**
 * Asks ca-service for one certificate. Dates are ISO-8601 strings ({@code 2031-04-01}) so that a
 * malformed one is reported as a field error together with every other bad field.
 *
 * @param requestId       the caller's id for this one certificate: a repeat with the same id and the
 *                        same key returns the certificate already issued instead of a second one
 * @param type            which certificate (and so which CA)
 * @param csr             PKCS#10 request, PEM or base64 DER; only its public key is used
 * @param municipalityCode the issuing municipality's local government code
 * @param counterId       the counter (窓口) that took the application; part of the subject CN
 * @param cardSerial      serial of the card the key lives on
 * @param cardExpiry      last day the card is valid (Japan time)
 * @param holder          the resident's facts (needed for both types: validity follows the birthday)
 * @param renewsSerial    hex serial of the certificate this one renews, if any
 */
public record IssuanceRequest(
        String requestId,
        CertificateType type,
        String csr,
        String municipalityCode,
        String counterId,
        String cardSerial,
        String cardExpiry,
        Holder holder,
        String renewsSerial) {

    /**
     * The basic four facts and what else issuance depends on.
     *
     * @param name                   family and given name separated by a full-width space (U+3000)
     * @param nameSubstitutionFlags  one 0/1 per character of {@code name}: 1 where a substitute character stands
     * @param dateOfBirth            ISO-8601 date
     * @param sex                    1 male, 2 female, 3 unknown
     * @param address                at most 200 characters
     * @param addressSubstitutionFlags one 0/1 per character of {@code address}
     * @param adultWard              成年被後見人: may not hold a signature certificate
     */
    public record Holder(
            String name,
            String nameSubstitutionFlags,
            String dateOfBirth,
            Integer sex,
            String address,
            String addressSubstitutionFlags,
            Boolean adultWard) {
    }
}
