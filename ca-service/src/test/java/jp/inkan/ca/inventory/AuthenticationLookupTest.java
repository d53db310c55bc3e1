package jp.inkan.ca.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jp.inkan.ca.inventory.CertificateStore.CardAt;
import jp.inkan.ca.issuance.IssuanceService;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest.Holder;
import jp.inkan.testing.Csrs;
import org.junit.jupiter.api.Test;

/**
 * The lookup that caps a signature certificate by the card's authentication certificate, asked
 * for many cards at once (one query for a batch), each at its own instant, on real PostgreSQL.
 */
@QuarkusTest
class AuthenticationLookupTest {

    static final LocalDate TODAY = LocalDate.now(ZoneId.of("Asia/Tokyo"));

    @Inject
    IssuanceService issuance;

    @Inject
    CertificateStore store;

    @Test
    void aBatchAnswersEachCardAtItsOwnInstantWithItsNewestValidCertificate() throws Exception {
        Holder holder = Requests.adult(TODAY.minusYears(40).plusDays(20));
        String one = Requests.newCardSerial();
        Instant oneEnds = authentication(one, holder, TODAY.plusYears(1));
        String two = Requests.newCardSerial();
        authentication(two, holder, TODAY.plusYears(3));
        // newer, yet ends sooner; issued in the same second (as a rule here), it ties on notBefore
        Instant twoNewestEnds = authentication(two, holder, TODAY.plusYears(2));
        String none = Requests.newCardSerial();
        Instant now = Instant.now();
        Instant lastMicrosecond = oneEnds.minus(1, ChronoUnit.MICROS);

        List<Optional<Instant>> answers = store.authenticationNotAfters(List.of(
                new CardAt(one, now), new CardAt(none, now), new CardAt(one, oneEnds), new CardAt(two, now),
                new CardAt(one, lastMicrosecond), new CardAt(one, now)));

        assertEquals(List.of(Optional.of(oneEnds), Optional.empty(), Optional.empty(), Optional.of(twoNewestEnds),
                Optional.of(oneEnds), Optional.of(oneEnds)), answers);
        assertEquals(List.of(), store.authenticationNotAfters(List.of()));
    }

    @Test
    void concurrentCallersShareQueriesAndEachGetsItsOwnAnswer() throws Exception {
        Holder holder = Requests.adult(TODAY.minusYears(30));
        List<String> cards = new ArrayList<>();
        List<Optional<Instant>> expected = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String card = Requests.newCardSerial();
            cards.add(card);
            expected.add(i % 3 == 2 ? Optional.empty() : Optional.of(authentication(card, holder, TODAY.plusYears(1 + i))));
        }
        Instant now = Instant.now();
        ExecutorService callers = Executors.newFixedThreadPool(16);
        List<Future<Optional<Instant>>> answers = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String card = cards.get(i % cards.size());
            answers.add(callers.submit(() -> store.validAuthenticationNotAfter(card, now)));
        }
        for (int i = 0; i < answers.size(); i++) {
            assertEquals(expected.get(i % cards.size()), answers.get(i).get(1, TimeUnit.MINUTES), "caller " + i);
        }
        callers.shutdown();
        assertTrue(callers.awaitTermination(10, TimeUnit.SECONDS));
    }

    private Instant authentication(String card, Holder holder, LocalDate cardExpiry) {
        return issuance.issue(Requests.request(CertificateType.AUTHENTICATION, Csrs.freshRsa(), holder, cardExpiry, card))
                .notAfter();
    }
}
