package jp.inkan.crl.publish;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jp.inkan.crl.store.CrlStore.Kind;
import org.jboss.logging.Logger;

/**
 * Every {@code inkan.crl.schedule.check}: complete CRLs (full and partitions) of scopes whose last
 * one is older than {@code complete-every}, then deltas of scopes whose last CRL is older than
 * {@code delta-every}. Due-ness is decided under each scope's row lock, so replicas share the work.
 */
@ApplicationScoped
public class Schedule {

    private static final Logger LOG = Logger.getLogger(Schedule.class);

    private final Publisher publisher;

    public Schedule(Publisher publisher) {
        this.publisher = publisher;
    }

    @Scheduled(every = "${inkan.crl.schedule.check}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            publisher.refresh();
            // A scope that just got a complete CRL gets its (empty) delta at once, so the Freshest CRL
            // pointer never serves a delta older than its base for a whole delta period.
            publisher.publishAll(Kind.COMPLETE, false, null, null).stream().filter(Publisher.Published::served)
                    .forEach(p -> publisher.publishDeltaAfterComplete(p));
            publisher.publishAll(Kind.DELTA, false, null, null);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Scheduled CRL publication failed; retrying at the next check");
        }
    }
}
