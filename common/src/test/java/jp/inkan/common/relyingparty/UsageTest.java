package jp.inkan.common.relyingparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import jp.inkan.common.CertificateType;
import org.junit.jupiter.api.Test;

class UsageTest {

    /** A clock the test moves. */
    static final class SettableClock extends Clock {
        Instant now;

        SettableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return Clock.fixed(now, zone);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void daysTurnAtMidnightJapanTimeAndTotalsKeepCounting() {
        SettableClock clock = new SettableClock(Instant.parse("2026-12-02T14:59:59Z")); // 23:59:59 in Tokyo
        Usage usage = new Usage(clock);
        usage.query("acme");
        usage.refusal("anonymous");
        clock.now = Instant.parse("2026-12-02T15:00:00Z"); // midnight in Tokyo
        usage.query("acme");
        usage.rateLimited("acme");

        assertEquals(new Usage.Counts(1, 0, 0), usage.day(LocalDate.parse("2026-12-02")).get("acme"));
        assertEquals(new Usage.Counts(1, 0, 1), usage.day(LocalDate.parse("2026-12-03")).get("acme"));
        assertEquals(new Usage.Counts(2, 0, 1), usage.totals().get("acme"));
        assertEquals(LocalDate.parse("2026-12-03"), usage.today());
        assertEquals(List.of(LocalDate.parse("2026-12-02"), LocalDate.parse("2026-12-03")), List.copyOf(usage.days()));

        clock.now = Instant.parse("2027-01-20T00:00:00Z");
        usage.query("acme");
        assertEquals(List.of(LocalDate.parse("2027-01-20")), List.copyOf(usage.days()), "days beyond 35 dropped");
        assertEquals(new Usage.Counts(3, 0, 1), usage.totals().get("acme"), "totals since start never go down");
    }

    @Test
    void metersFollowTheRegistryAndReadTheCountsSinceStart() {
        Usage usage = new Usage(Clock.systemUTC());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RelyingPartyMeters meters = new RelyingPartyMeters(registry, "inkan.test.relying.party", "queries", usage,
                List.of("anonymous"));
        RelyingParty acme = RelyingPartyTest.party("acme", RelyingParty.Kind.SIGNATURE_VERIFIER,
                Set.of(CertificateType.SIGNATURE), List.of(RelyingPartyTest.HASH), null);
        meters.parties(List.of(acme));
        usage.query("acme");
        usage.query("acme");
        usage.rateLimited("acme");
        usage.refusal("anonymous");
        usage.refusal("someone-unknown"); // never a label of its own
        assertEquals(2, count(registry, "inkan.test.relying.party.queries", "acme"));
        assertEquals(1, count(registry, "inkan.test.relying.party.rate.limited", "acme"));
        assertEquals(1, count(registry, "inkan.test.relying.party.refusals", "anonymous"));
        assertNull(registry.find("inkan.test.relying.party.refusals").tag("caller", "someone-unknown").functionCounter());

        meters.parties(List.of());
        assertNull(registry.find("inkan.test.relying.party.queries").tag("caller", "acme").functionCounter(), "removed");
        assertEquals(1, count(registry, "inkan.test.relying.party.refusals", "anonymous"), "fixed callers stay");
        usage.query("acme");
        meters.parties(List.of(acme));
        assertEquals(3, count(registry, "inkan.test.relying.party.queries", "acme"), "back, still counting since start");
    }

    static double count(SimpleMeterRegistry registry, String name, String caller) {
        FunctionCounter counter = registry.find(name).tag("caller", caller).functionCounter();
        return counter == null ? -1 : counter.count();
    }
}
