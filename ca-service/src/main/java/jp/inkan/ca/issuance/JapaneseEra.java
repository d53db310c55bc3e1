package jp.inkan.ca.issuance;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * The era digit of the date-of-birth field ({@code EYYYYMMDD}: era code, then the Gregorian date).
 * Each era starts on the day of its accession; dates before Meiji are coded 0 (unknown).
 */
public enum JapaneseEra {
    UNKNOWN(0, LocalDate.MIN),
    MEIJI(1, LocalDate.of(1868, 1, 25)),
    TAISHO(2, LocalDate.of(1912, 7, 30)),
    SHOWA(3, LocalDate.of(1926, 12, 25)),
    HEISEI(4, LocalDate.of(1989, 1, 8)),
    REIWA(5, LocalDate.of(2019, 5, 1));

    private static final DateTimeFormatter YYYYMMDD = DateTimeFormatter.ofPattern("uuuuMMdd");

    private final int code;
    private final LocalDate firstDay;

    JapaneseEra(int code, LocalDate firstDay) {
        this.code = code;
        this.firstDay = firstDay;
    }

    public int code() {
        return code;
    }

    public static JapaneseEra of(LocalDate date) {
        JapaneseEra era = UNKNOWN;
        for (JapaneseEra candidate : values()) {
            if (!date.isBefore(candidate.firstDay)) {
                era = candidate;
            }
        }
        return era;
    }

    /** {@code 3} + {@code 19850412} for 12 April 1985. */
    public static String encode(LocalDate dateOfBirth) {
        return of(dateOfBirth).code + dateOfBirth.format(YYYYMMDD);
    }
}
