package jp.inkan.ca.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KnownHeadBackoffTest {

    /** How many batches go the usual way before the next try of the remembered head. */
    private static int skippedBeforeNextTry(KnownHeadBackoff backoff) {
        int skipped = 0;
        while (!backoff.tryKnownHead()) {
            skipped++;
        }
        return skipped;
    }

    @Test
    void eachMissDoublesTheBatchesWrittenTheUsualWayUpToTheCap() {
        KnownHeadBackoff backoff = new KnownHeadBackoff();
        assertTrue(backoff.tryKnownHead(), "the first batch with a known head tries it");
        int expected = 1;
        for (int miss = 0; miss < 12; miss++) {
            backoff.missed();
            assertEquals(expected, skippedBeforeNextTry(backoff));
            expected = Math.min(KnownHeadBackoff.MAX, expected * 2);
        }
        assertEquals(KnownHeadBackoff.MAX, expected);
    }

    @Test
    void aHitMakesTheNextMissCostOneBatchAgain() {
        KnownHeadBackoff backoff = new KnownHeadBackoff();
        for (int miss = 0; miss < 5; miss++) {
            backoff.missed();
            skippedBeforeNextTry(backoff);
        }
        backoff.hit();
        assertTrue(backoff.tryKnownHead());
        backoff.missed();
        assertEquals(1, skippedBeforeNextTry(backoff));
    }
}
