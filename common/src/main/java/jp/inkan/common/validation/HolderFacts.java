package jp.inkan.common.validation;

import java.time.LocalDate;
import java.util.regex.Pattern;
import jp.inkan.common.Sex;
import jp.inkan.common.ca.IssuanceRequest;

/**
 * The rules for a resident's facts, shared by the registration service (which refuses a bad
 * application before storing anything) and ca-service (which trusts no caller).
 *
 * @param name                     family and given name separated by U+3000, or null
 * @param nameSubstitutionFlags    one 0/1 per character of the name (all zeros when not given)
 * @param dateOfBirth              the holder's birthday
 * @param sex                      null for an authentication certificate sent none
 * @param address                  at most 200 characters, or null
 * @param addressSubstitutionFlags one 0/1 per character of the address
 * @param adultWard                成年被後見人
 */
public record HolderFacts(
        String name,
        String nameSubstitutionFlags,
        LocalDate dateOfBirth,
        Sex sex,
        String address,
        String addressSubstitutionFlags,
        boolean adultWard) {

    public static final int MAX_ADDRESS = 200;
    public static final int MAX_NAME = 100;
    public static final int MAX_AGE = 150;
    private static final Pattern FLAGS = Pattern.compile("[01]*");
    private static final String FULL_WIDTH_SPACE = "\u3000";

    /**
     * Checks {@code holder}, reporting bad fields under {@code prefix} (e.g. {@code "holder."});
     * null when it is missing. Name, sex and address are required when {@code personalData}.
     */
    public static HolderFacts check(IssuanceRequest.Holder holder, boolean personalData, LocalDate today,
                                    String prefix, FieldErrors errors) {
        if (holder == null) {
            errors.add(prefix.isEmpty() ? "holder" : prefix.substring(0, prefix.length() - 1), "is required");
            return null;
        }
        LocalDate dateOfBirth = errors.date(prefix + "dateOfBirth", holder.dateOfBirth());
        if (dateOfBirth != null && dateOfBirth.isAfter(today)) {
            errors.add(prefix + "dateOfBirth", "is in the future");
        } else if (dateOfBirth != null && dateOfBirth.isBefore(today.minusYears(MAX_AGE))) {
            errors.add(prefix + "dateOfBirth", "is more than " + MAX_AGE + " years ago");
        }
        String name = holder.name();
        if ((personalData || name != null) && errors.text(prefix + "name", name, MAX_NAME)
                && (name.indexOf(FULL_WIDTH_SPACE) <= 0 || name.endsWith(FULL_WIDTH_SPACE))) {
            errors.add(prefix + "name", "must be the family and given name separated by a full-width space (U+3000)");
        }
        String nameFlags = flags(prefix + "nameSubstitutionFlags", holder.nameSubstitutionFlags(), name, errors);
        Sex sex = null;
        if (personalData || holder.sex() != null) {
            sex = Sex.ofCode(holder.sex()).orElse(null);
            if (sex == null) {
                errors.add(prefix + "sex", "must be 1 (male), 2 (female) or 3 (unknown)");
            }
        }
        String address = holder.address();
        if (personalData || address != null) {
            errors.text(prefix + "address", address, MAX_ADDRESS);
        }
        String addressFlags = flags(prefix + "addressSubstitutionFlags", holder.addressSubstitutionFlags(), address,
                errors);
        return new HolderFacts(name, nameFlags, dateOfBirth, sex, address, addressFlags,
                Boolean.TRUE.equals(holder.adultWard()));
    }

    /** Completed years on {@code date}: a year completes on the birthday (1 March for a 29 February birth in common years). */
    public static int ageOn(LocalDate dateOfBirth, LocalDate date) {
        int age = date.getYear() - dateOfBirth.getYear();
        LocalDate anniversary = dateOfBirth.withYear(date.getYear());
        if (dateOfBirth.getMonthValue() == 2 && dateOfBirth.getDayOfMonth() == 29 && !date.isLeapYear()) {
            anniversary = LocalDate.of(date.getYear(), 3, 1);
        }
        return anniversary.isAfter(date) ? age - 1 : age;
    }

    /** One 0/1 per character of {@code text}; all zeros when not given. */
    private static String flags(String field, String flags, String text, FieldErrors errors) {
        if (text == null) {
            return null;
        }
        int length = FieldErrors.length(text);
        if (flags == null) {
            return "0".repeat(length);
        }
        if (!FLAGS.matcher(flags).matches()) {
            errors.add(field, "must contain only 0 and 1");
        } else if (flags.length() != length) {
            errors.add(field, "must have one flag per character (" + length + "), not " + flags.length());
        }
        return flags;
    }
}
