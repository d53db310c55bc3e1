package jp.inkan.ca.issuance;

import jp.inkan.common.validation.HolderFacts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValidityPolicyTest {

    static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");
    final ValidityPolicy policy = new ValidityPolicy(5, 3);

    static Instant japan(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(JAPAN).toInstant();
    }

    static Instant endOf(String date) {
        return japan(date + "T23:59:59");
    }

    ValidityPolicy.Window window(Instant now, String birth, String cardExpiry) {
        return policy.window(now, LocalDate.parse(birth), LocalDate.parse(cardExpiry), Optional.empty(),
                Optional.empty()).orElseThrow();
    }

    @Test
    void runsToTheEndOfTheFifthBirthdayAfterTheIssueDateInJapanTime() {
        ValidityPolicy.Window w = window(japan("2026-11-22T10:15:30.123"), "1980-12-01", "2036-01-01");
        assertEquals(japan("2026-11-22T10:15:30"), w.notBefore(), "notBefore is now, whole seconds");
        // birthdays after 2026-11-22: 2026-12-01 (1st) ... 2030-12-01 (5th)
        assertEquals(endOf("2030-12-01"), w.notAfter());
        assertFalse(w.renewal());
    }

    @Test
    void birthdayLaterThisYearCountsAsTheFirst() {
        assertEquals(endOf("2030-12-01"), window(japan("2026-03-01T09:00"), "1980-12-01", "2040-01-01").notAfter());
    }

    @Test
    void aBirthdayOnTheIssueDateItselfIsNotAfterIt() {
        ValidityPolicy.Window w = window(japan("2026-11-22T09:00"), "1990-11-22", "2040-01-01");
        assertEquals(endOf("2031-11-22"), w.notAfter());
    }

    @Test
    void issueDateIsTakenInJapanNotUtc() {
        // 2026-11-21T20:00Z is already the 22nd (the birthday) in Japan: the birthday does not count.
        ValidityPolicy.Window w = policy.window(Instant.parse("2026-11-21T20:00:00Z"), LocalDate.parse("1990-11-22"),
                LocalDate.parse("2040-01-01"), Optional.empty(), Optional.empty()).orElseThrow();
        assertEquals(endOf("2031-11-22"), w.notAfter());
    }

    @Test
    void leapDayBirthdayEndsOn28FebruaryInACommonYear() {
        // issued 2027-03-10: birthdays after it fall in 2028 (29th, leap), 2029..2031 (28th), 2032 (29th, leap)
        assertEquals(endOf("2032-02-29"), window(japan("2027-03-10T09:00"), "2000-02-29", "2040-01-01").notAfter());
        assertEquals(endOf("2031-02-28"), window(japan("2026-03-10T09:00"), "2000-02-29", "2040-01-01").notAfter());
    }

    @Test
    void leapDayBirthdayOn28FebruaryOfACommonIssueYearIsThatYearsBirthday() {
        // On 2026-02-28 the 2026 "birthday" (28 Feb) is the issue date itself, so it does not count.
        assertEquals(endOf("2031-02-28"), window(japan("2026-02-28T09:00"), "2000-02-29", "2040-01-01").notAfter());
        assertEquals(endOf("2030-02-28"), window(japan("2026-02-27T09:00"), "2000-02-29", "2040-01-01").notAfter());
    }

    @Test
    void ageCountsALeapDayBirthFromFirstMarchInCommonYears() {
        LocalDate born = LocalDate.parse("2008-02-29");
        assertEquals(14, HolderFacts.ageOn(born, LocalDate.parse("2023-02-28")));
        assertEquals(15, HolderFacts.ageOn(born, LocalDate.parse("2023-03-01")));
        assertEquals(16, HolderFacts.ageOn(born, LocalDate.parse("2024-02-29")));
        assertEquals(14, HolderFacts.ageOn(LocalDate.parse("2011-11-22"), LocalDate.parse("2026-11-21")));
        assertEquals(15, HolderFacts.ageOn(LocalDate.parse("2011-11-22"), LocalDate.parse("2026-11-22")));
    }

    @Test
    void cappedByTheEndOfTheCardsExpiryDay() {
        assertEquals(endOf("2028-06-30"), window(japan("2026-11-22T09:00"), "1980-12-01", "2028-06-30").notAfter());
    }

    @Test
    void cappedByTheAuthenticationCertificate() {
        Instant authenticationEnd = endOf("2029-01-15");
        ValidityPolicy.Window w = policy.window(japan("2026-11-22T09:00"), LocalDate.parse("1980-12-01"),
                LocalDate.parse("2040-01-01"), Optional.empty(), Optional.of(authenticationEnd)).orElseThrow();
        assertEquals(authenticationEnd, w.notAfter());
    }

    @Test
    void nothingLeftWhenTheCapsEndBeforeNow() {
        assertTrue(policy.window(japan("2026-11-22T09:00"), LocalDate.parse("1980-12-01"),
                LocalDate.parse("2040-01-01"), Optional.empty(), Optional.of(japan("2026-11-22T08:00"))).isEmpty());
    }

    @Test
    void renewalWithinThreeMonthsOfExpiryRunsToTheSixthBirthday() {
        Instant currentEnd = endOf("2027-01-10");
        ValidityPolicy.Window w = policy.window(japan("2026-11-22T09:00"), LocalDate.parse("1980-12-01"),
                LocalDate.parse("2040-01-01"), Optional.of(currentEnd), Optional.empty()).orElseThrow();
        assertTrue(w.renewal());
        assertEquals(endOf("2031-12-01"), w.notAfter());
    }

    @Test
    void renewalWindowOpensExactlyThreeMonthsBeforeTheExpiryDay() {
        Instant currentEnd = endOf("2027-02-22");
        assertTrue(policy.inRenewalWindow(japan("2026-11-22T00:00"), currentEnd));
        assertFalse(policy.inRenewalWindow(japan("2026-11-21T23:59:59"), currentEnd));
        assertFalse(policy.inRenewalWindow(japan("2027-02-23T00:00"), currentEnd), "expired: no longer a renewal");
    }

    @Test
    void renewalTooEarlyGetsTheUsualFiveBirthdays() {
        ValidityPolicy.Window w = policy.window(japan("2026-11-22T09:00"), LocalDate.parse("1980-12-01"),
                LocalDate.parse("2040-01-01"), Optional.of(endOf("2027-06-01")), Optional.empty()).orElseThrow();
        assertFalse(w.renewal());
        assertEquals(endOf("2030-12-01"), w.notAfter());
    }

    @Test
    void eraCodes() {
        assertEquals("319850412", JapaneseEra.encode(LocalDate.parse("1985-04-12")));
        assertEquals("319890107", JapaneseEra.encode(LocalDate.parse("1989-01-07")));
        assertEquals("419890108", JapaneseEra.encode(LocalDate.parse("1989-01-08")));
        assertEquals("420190430", JapaneseEra.encode(LocalDate.parse("2019-04-30")));
        assertEquals("520190501", JapaneseEra.encode(LocalDate.parse("2019-05-01")));
        assertEquals("219260101", JapaneseEra.encode(LocalDate.parse("1926-01-01")));
        assertEquals("319261225", JapaneseEra.encode(LocalDate.parse("1926-12-25")));
        assertEquals("119120729", JapaneseEra.encode(LocalDate.parse("1912-07-29")));
        assertEquals("018600101", JapaneseEra.encode(LocalDate.parse("1860-01-01")));
    }

    @Test
    void serialsAreWrittenAsLowerCaseHexWithoutLeadingZeros() {
        assertEquals("1", jp.inkan.ca.inventory.CertificateStore.hex(java.math.BigInteger.ONE));
        assertEquals("ff", jp.inkan.ca.inventory.CertificateStore.hex(java.math.BigInteger.valueOf(255)));
        assertEquals("100", jp.inkan.ca.inventory.CertificateStore.hex(java.math.BigInteger.valueOf(256)));
        java.math.BigInteger big = new java.math.BigInteger("7f0404d4025cc4475402c22b32594a32", 16);
        assertEquals(big.toString(16), jp.inkan.ca.inventory.CertificateStore.hex(big));
        java.math.BigInteger high = new java.math.BigInteger("8f0404d4025cc4475402c22b32594a32", 16);
        assertEquals(high.toString(16), jp.inkan.ca.inventory.CertificateStore.hex(high));
    }

    @Test
    void requestTimestampIsJapanTime() {
        assertEquals("20261122093005", JpkiProfile.requestTimestamp(Instant.parse("2026-11-22T00:30:05Z")));
        assertEquals("00042", JpkiProfile.fiveDigits(42));
        assertEquals("99999", JpkiProfile.fiveDigits(99999));
    }
}
