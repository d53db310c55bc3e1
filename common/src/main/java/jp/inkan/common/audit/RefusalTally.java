package jp.inkan.common.audit;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refusals counted per caller and reason between two drains, so that a flood of refused requests
 * becomes one audit entry per caller, reason and period (the service drains it every minute)
 * instead of one entry per request.
 */
public final class RefusalTally {

    /** What one caller was refused, how often, since when. */
    public record Count(String caller, String reason, long count, Instant since, Instant until) {
        public String detail() {
            return reason + ": " + count + " refused between " + since + " and " + until;
        }
    }

    private record Key(String caller, String reason) {
    }

    private final Clock clock;
    private final Map<Key, AtomicLong> counts = new ConcurrentHashMap<>();
    private volatile Instant since;

    public RefusalTally(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    /** Callers are few and known (relying-party ids, "anonymous", "unregistered"), never free text. */
    public void refused(String caller, String reason) {
        refused(caller, reason, 1);
    }

    /** Puts back counts that could not be recorded; they are recorded with the next period. */
    public void refused(String caller, String reason, long n) {
        counts.computeIfAbsent(new Key(caller, reason), k -> new AtomicLong()).addAndGet(n);
    }

    /** The counts since the last drain, and a fresh period from now. */
    public synchronized List<Count> drain() {
        Instant until = clock.instant();
        List<Count> drained = new ArrayList<>();
        // Keys stay (callers are few: relying parties, "anonymous", "unregistered"); counts reset atomically.
        counts.forEach((key, count) -> {
            long n = count.getAndSet(0);
            if (n > 0) {
                drained.add(new Count(key.caller(), key.reason(), n, since, until));
            }
        });
        since = until;
        drained.sort(java.util.Comparator.comparing(Count::caller).thenComparing(Count::reason));
        return drained;
    }
}
