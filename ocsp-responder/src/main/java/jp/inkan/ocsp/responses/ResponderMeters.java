package jp.inkan.ocsp.responses;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jp.inkan.ocsp.events.EventConsumer;
import jp.inkan.ocsp.store.StatusStore;

/**
 * Prometheus views of counters the responder keeps anyway: read at scrape time, so the request
 * path pays nothing for them (the cache hit on the I/O thread stays one atomic increment).
 */
@ApplicationScoped
public class ResponderMeters {

    void register(@Observes StartupEvent startup, MeterRegistry meters, Responder responder, EventConsumer consumer,
                  StatusStore store) {
        FunctionCounter.builder("inkan.ocsp.cache.hits", responder, Responder::cacheHits)
                .description("Answers served from a pre-signed response").register(meters);
        FunctionCounter.builder("inkan.ocsp.cache.misses", responder, Responder::cacheMisses)
                .description("Shareable requests (one CertID, no nonce) that had to be signed").register(meters);
        FunctionCounter.builder("inkan.ocsp.signed", responder, Responder::signed)
                .description("Responses signed with a responder key").register(meters);
        Gauge.builder("inkan.events.consumer.lag", consumer, EventConsumer::lag)
                .description("Certificate events between the status store and the topic's end (-1 before the first check)")
                .register(meters);
        FunctionCounter.builder("inkan.events.consumed", consumer, EventConsumer::consumed)
                .description("Certificate events read from the topic since start").register(meters);
        FunctionCounter.builder("inkan.events.rejected", consumer, EventConsumer::malformed)
                .description("Events skipped as unreadable or of an unknown schema").register(meters);
        Gauge.builder("inkan.ocsp.store.certificates", store, StatusStore::size)
                .description("Certificates in the status store").register(meters);
    }
}
