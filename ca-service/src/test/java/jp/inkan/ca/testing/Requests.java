package jp.inkan.ca.testing;

import java.time.LocalDate;
import java.util.concurrent.atomic.AtomicInteger;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import jp.inkan.common.ca.IssuanceRequest.Holder;

/** Issuance requests for a typical adult resident, with one thing changed per test. */
public final class Requests {

    public static final String NAME = "山田\u3000太郎";
    public static final String ADDRESS = "東京都千代田区千代田１－１";
    private static final AtomicInteger CARDS = new AtomicInteger();

    private Requests() {
    }

    public static String newRequestId() {
        return "test-" + java.util.UUID.randomUUID();
    }

    public static String newCardSerial() {
        return "CARD" + System.nanoTime() + CARDS.incrementAndGet();
    }

    public static Holder adult(LocalDate dateOfBirth) {
        return new Holder(NAME, "00000", dateOfBirth.toString(), 1, ADDRESS,
                "0".repeat(ADDRESS.codePointCount(0, ADDRESS.length())), false);
    }

    public static IssuanceRequest request(CertificateType type, String csr, Holder holder, LocalDate cardExpiry,
                                          String cardSerial) {
        return new IssuanceRequest(newRequestId(), type, csr, "131016", "A01", cardSerial, cardExpiry.toString(), holder, null);
    }

    /** A 40-year-old with a card valid for ten more years. */
    public static IssuanceRequest typical(CertificateType type, String csr) {
        LocalDate today = LocalDate.now(java.time.ZoneId.of("Asia/Tokyo"));
        return request(type, csr, adult(today.minusYears(40).minusDays(100)), today.plusYears(10), newCardSerial());
    }
}
