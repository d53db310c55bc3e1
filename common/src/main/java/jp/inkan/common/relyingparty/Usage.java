package jp.inkan.common.relyingparty;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per caller and per day (Japan time) counts of queries answered, refusals and rate-limited
 * requests, since this process started, plus per caller totals since start (what the meters read).
 * Counting a known caller on the current day allocates nothing: one map lookup and two adders, so
 * it may run on the OCSP fast path. Days older than {@link #DAYS_KEPT} are dropped.
 */
public final class Usage {

    public static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");
    static final int DAYS_KEPT = 35;
    /** Japan has kept UTC+9 without daylight saving since 1951: the day is plain arithmetic. */
    private static final long JAPAN_OFFSET_MILLIS = 9 * 3_600_000L;
    private static final long DAY_MILLIS = 86_400_000L;

    /** The counts of one caller on one day. */
    public record Counts(long queries, long refusals, long rateLimited) {
        public static final Counts ZERO = new Counts(0, 0, 0);

        public Counts plus(Counts other) {
            return new Counts(queries + other.queries, refusals + other.refusals, rateLimited + other.rateLimited);
        }
    }

    /** One caller's counters (of a day, or since start); a day's counters also move the caller's totals. */
    public static final class Counters {
        private final LongAdder queries = new LongAdder();
        private final LongAdder refusals = new LongAdder();
        private final LongAdder rateLimited = new LongAdder();
        private final Counters sinceStart;

        Counters(Counters sinceStart) {
            this.sinceStart = sinceStart;
        }

        void countQuery() {
            queries.increment();
            if (sinceStart != null) {
                sinceStart.countQuery();
            }
        }

        void countRefusal() {
            refusals.increment();
            if (sinceStart != null) {
                sinceStart.countRefusal();
            }
        }

        void countRateLimited() {
            rateLimited.increment();
            if (sinceStart != null) {
                sinceStart.countRateLimited();
            }
        }

        public double queries() {
            return queries.sum();
        }

        public double refusals() {
            return refusals.sum();
        }

        public double rateLimited() {
            return rateLimited.sum();
        }

        public Counts counts() {
            return new Counts(queries.sum(), refusals.sum(), rateLimited.sum());
        }
    }

    private record Day(long epochDay, Map<String, Counters> callers) {
    }

    private final Clock clock;
    private final Map<LocalDate, Map<String, Counters>> days = new ConcurrentHashMap<>();
    private final Map<String, Counters> sinceStart = new ConcurrentHashMap<>();
    private volatile Day today = new Day(Long.MIN_VALUE, Map.of());

    public Usage(Clock clock) {
        this.clock = clock;
    }

    public void query(String caller) {
        counters(caller).countQuery();
    }

    public void refusal(String caller) {
        counters(caller).countRefusal();
    }

    public void rateLimited(String caller) {
        counters(caller).countRateLimited();
    }

    private Counters counters(String caller) {
        long epochDay = Math.floorDiv(clock.millis() + JAPAN_OFFSET_MILLIS, DAY_MILLIS);
        Day day = today;
        if (day.epochDay() != epochDay) {
            day = turnTo(epochDay);
        }
        Counters counters = day.callers().get(caller);
        return counters != null ? counters : day.callers().computeIfAbsent(caller, c -> new Counters(sinceStart(c)));
    }

    private synchronized Day turnTo(long epochDay) {
        Day day = today;
        if (day.epochDay() == epochDay) {
            return day;
        }
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        day = new Day(epochDay, days.computeIfAbsent(date, d -> new ConcurrentHashMap<>()));
        days.keySet().removeIf(d -> d.isBefore(date.minusDays(DAYS_KEPT)));
        today = day;
        return day;
    }

    /** A caller's counters since start (made on first use and kept): what a meter reads. */
    public Counters sinceStart(String caller) {
        Counters counters = sinceStart.get(caller);
        return counters != null ? counters : sinceStart.computeIfAbsent(caller, c -> new Counters(null));
    }

    /** The current day (Japan time) by this usage's clock. */
    public LocalDate today() {
        return LocalDate.now(clock.withZone(JAPAN));
    }

    /** The days with counts, oldest first. */
    public java.util.SortedSet<LocalDate> days() {
        return new java.util.TreeSet<>(days.keySet());
    }

    /** One day's counts per caller. */
    public Map<String, Counts> day(LocalDate day) {
        Map<String, Counts> result = new TreeMap<>();
        days.getOrDefault(day, Map.of()).forEach((caller, counters) -> result.put(caller, counters.counts()));
        return result;
    }

    /** Counts per caller since start. */
    public Map<String, Counts> totals() {
        Map<String, Counts> result = new TreeMap<>();
        sinceStart.forEach((caller, counters) -> {
            Counts counts = counters.counts();
            if (!counts.equals(Counts.ZERO)) {
                result.put(caller, counts);
            }
        });
        return result;
    }
}
