package jp.inkan.ca.api;

import java.time.LocalDate;

/** Independent arithmetic for expected validity years (not the production code's). */
final class ValidityTestDates {

    private ValidityTestDates() {
    }

    /** Year of the 5th birthday strictly after {@code today}, comparing month and day by hand. */
    static int fifthBirthdayYear(LocalDate born, LocalDate today) {
        int month = born.getMonthValue();
        int day = born.getDayOfMonth();
        if (month == 2 && day == 29 && !today.isLeapYear()) {
            day = 28;
        }
        boolean stillAhead = month > today.getMonthValue()
                || (month == today.getMonthValue() && day > today.getDayOfMonth());
        return (stillAhead ? today.getYear() : today.getYear() + 1) + 4;
    }
}
