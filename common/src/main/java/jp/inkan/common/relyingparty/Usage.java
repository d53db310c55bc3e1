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
 * requests, since this process started. Days older than {@link #DAYS_KEPT} are dropped.
 */
public final class Usage {

    public static final ZoneId JAPAN = ZoneId.of("Asia/Tokyo");
    static final int DAYS_KEPT = 35;

    /** The counts of one caller on one day. */
    public record Counts(long queries, long refusals, long rateLimited) {
        public Counts plus(Counts other) {
            return new Counts(queries + other.queries, refusals + other.refusals, rateLimited + other.rateLimited);
        }
    }

    private static final class Counters {
        final LongAdder queries = new LongAdder();
        final LongAdder refusals = new LongAdder();
        final LongAdder rateLimited = new LongAdder();

        Counts counts() {
            return new Counts(queries.sum(), refusals.sum(), rateLimited.sum());
        }
    }

    private final Clock clock;
    private final Map<LocalDate, Map<String, Counters>> days = new ConcurrentHashMap<>();

    public Usage(Clock clock) {
        this.clock = clock;
    }

    public void query(String caller) {
        counters(caller).queries.increment();
    }

    public void refusal(String caller) {
        counters(caller).refusals.increment();
    }

    public void rateLimited(String caller) {
        counters(caller).rateLimited.increment();
    }

    private Counters counters(String caller) {
        LocalDate today = LocalDate.now(clock.withZone(JAPAN));
        Map<String, Counters> day = days.get(today);
        if (day == null) {
            day = days.computeIfAbsent(today, d -> new ConcurrentHashMap<>());
            days.keySet().removeIf(d -> d.isBefore(today.minusDays(DAYS_KEPT)));
        }
        Counters counters = day.get(caller);
        return counters != null ? counters : day.computeIfAbsent(caller, c -> new Counters());
    }

    /** One day's counts per caller. */
    public Map<String, Counts> day(LocalDate day) {
        Map<String, Counts> result = new TreeMap<>();
        days.getOrDefault(day, Map.of()).forEach((caller, counters) -> result.put(caller, counters.counts()));
        return result;
    }

    /** Counts per caller since start (the kept days). */
    public Map<String, Counts> totals() {
        Map<String, Counts> result = new TreeMap<>();
        days.values().forEach(day -> day.forEach((caller, counters) ->
                result.merge(caller, counters.counts(), Counts::plus)));
        return result;
    }
}
