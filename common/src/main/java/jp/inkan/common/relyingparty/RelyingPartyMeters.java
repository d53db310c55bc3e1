package jp.inkan.common.relyingparty;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per relying party counters on the service's Micrometer registry ({@code /q/metrics}):
 * {@code <prefix>_queries_total}, {@code _refusals_total}, {@code _rate_limited_total}, label
 * {@code caller} = party id, or one of the fixed names unknown callers are counted under (so a
 * stranger cannot grow the label set). The meters read {@link Usage}'s counters since start at
 * scrape time: they are made once per party when the registry names it and removed when it no
 * longer does, and the request path only moves the adders it moves anyway.
 */
public final class RelyingPartyMeters {

    private final MeterRegistry registry;
    private final String prefix;
    private final String queriesHelp;
    private final Usage usage;
    private final Set<String> fixedCallers;
    private final Map<String, List<Meter>> meters = new HashMap<>();

    /**
     * @param prefix       dotted meter name prefix, e.g. {@code inkan.ocsp.relying.party}
     * @param queriesHelp  what a query is for this service
     * @param fixedCallers the names refusals of unknown callers are counted under
     */
    public RelyingPartyMeters(MeterRegistry registry, String prefix, String queriesHelp, Usage usage,
                              Collection<String> fixedCallers) {
        this.registry = registry;
        this.prefix = prefix;
        this.queriesHelp = queriesHelp;
        this.usage = usage;
        this.fixedCallers = Set.copyOf(fixedCallers);
        fixedCallers.forEach(this::add);
    }

    /** Follows a registry change: meters for parties new to it, none any more for parties gone. */
    public synchronized void parties(Collection<RelyingParty> parties) {
        Set<String> wanted = new HashSet<>(fixedCallers);
        parties.forEach(p -> wanted.add(p.id()));
        for (String caller : new ArrayList<>(meters.keySet())) {
            if (!wanted.contains(caller)) {
                meters.remove(caller).forEach(registry::remove);
            }
        }
        wanted.forEach(this::add);
    }

    private void add(String caller) {
        if (meters.containsKey(caller)) {
            return;
        }
        Usage.Counters counters = usage.sinceStart(caller);
        meters.put(caller, List.of(
                FunctionCounter.builder(prefix + ".queries", counters, Usage.Counters::queries)
                        .description(queriesHelp).tag("caller", caller).register(registry),
                FunctionCounter.builder(prefix + ".refusals", counters, Usage.Counters::refusals)
                        .description("Requests refused (no certificate, not registered, suspended, not entitled, unsigned)")
                        .tag("caller", caller).register(registry),
                FunctionCounter.builder(prefix + ".rate.limited", counters, Usage.Counters::rateLimited)
                        .description("Requests over the relying party's rate").tag("caller", caller).register(registry)));
    }
}
