package jp.inkan.ca.issuance;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import jp.inkan.ca.config.ClockProducer;

/**
 * How long a certificate lasts.
 *
 * <ul>
 *   <li>Until the end of the day (Japan time) of the holder's Nth birthday <em>after</em> the issue
 *       date (N = 5); a birthday on the issue date itself does not count.</li>
 *   <li>N + 1 when the request renews a certificate that expires within the renewal window
 *       (3 months) of now.</li>
 *   <li>Never past the end of the card's expiry day, nor (signature certificates) past the
 *       holder's authentication certificate.</li>
 *   <li>29 February births in common years: the certificate ends on 28 February, as the Civil Code
 *       (民法 art. 143) ends a period whose corresponding day does not exist on the last day of that
 *       month. Age (for the under-15 rule) follows 年齢計算ニ関スル法律: a year is completed at the end
 *       of the day before the birthday, i.e. at the end of 28 February, so such a holder counts as
 *       a year older from 1 March.</li>
 * </ul>
 */
public final class ValidityPolicy {

    private final int birthdays;
    private final int renewalWindowMonths;

    public ValidityPolicy(int birthdays, int renewalWindowMonths) {
        this.birthdays = birthdays;
        this.renewalWindowMonths = renewalWindowMonths;
    }

    /** The window, or empty when a cap leaves nothing after now. */
    public Optional<Window> window(Instant now, LocalDate dateOfBirth, LocalDate cardExpiry,
                                   Optional<Instant> renewedNotAfter, Optional<Instant> authenticationNotAfter) {
        Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS);
        LocalDate issueDate = LocalDate.ofInstant(now, ClockProducer.JAPAN);
        boolean renewal = renewedNotAfter.filter(end -> inRenewalWindow(now, end)).isPresent();
        LocalDate lastDay = nthBirthdayAfter(dateOfBirth, issueDate, renewal ? birthdays + 1 : birthdays);
        if (cardExpiry.isBefore(lastDay)) {
            lastDay = cardExpiry;
        }
        Instant notAfter = endOfDay(lastDay);
        if (authenticationNotAfter.isPresent() && authenticationNotAfter.get().isBefore(notAfter)) {
            notAfter = authenticationNotAfter.get();
        }
        if (!notAfter.isAfter(notBefore)) {
            return Optional.empty();
        }
        return Optional.of(new Window(notBefore, notAfter, renewal));
    }

    public record Window(Instant notBefore, Instant notAfter, boolean renewal) {
    }

    /** Within the renewal window before {@code currentNotAfter}, and not yet expired. */
    public boolean inRenewalWindow(Instant now, Instant currentNotAfter) {
        LocalDate expiryDay = LocalDate.ofInstant(currentNotAfter, ClockProducer.JAPAN);
        Instant windowOpens = expiryDay.minusMonths(renewalWindowMonths).atStartOfDay(ClockProducer.JAPAN).toInstant();
        return !now.isBefore(windowOpens) && now.isBefore(currentNotAfter);
    }

    /** The holder's birthday in {@code year}; 28 February for a 29 February birth in a common year. */
    public static LocalDate birthdayIn(LocalDate dateOfBirth, int year) {
        return dateOfBirth.withYear(year);
    }

    /** The {@code n}th birthday strictly after {@code date}. */
    public static LocalDate nthBirthdayAfter(LocalDate dateOfBirth, LocalDate date, int n) {
        int firstYear = birthdayIn(dateOfBirth, date.getYear()).isAfter(date) ? date.getYear() : date.getYear() + 1;
        return birthdayIn(dateOfBirth, firstYear + n - 1);
    }

    public static Instant endOfDay(LocalDate day) {
        return day.atTime(LocalTime.of(23, 59, 59)).atZone(ClockProducer.JAPAN).toInstant();
    }
}
