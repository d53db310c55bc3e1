package jp.inkan.crl.publish;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import jp.inkan.crl.health.CrlMeters;
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
    private final CrlMeters meters;
    /** Held while a check runs, so shutdown can wait for the CRL in progress. */
    private final ReentrantLock running = new ReentrantLock();

    public Schedule(Publisher publisher, CrlMeters meters) {
        this.publisher = publisher;
        this.meters = meters;
    }

    /**
     * SIGTERM: the check in progress finishes the CRL it is building (a CRL cut short would only
     * leave its number unused, but a finished one is served) and starts no other.
     */
    void stop(@Observes ShutdownEvent shutdown) {
        publisher.stopAfterCurrent();
        try {
            if (running.tryLock(50, TimeUnit.SECONDS)) {
                running.unlock();
            } else {
                LOG.warn("The scheduled CRL check did not finish within 50 s of shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Scheduled(every = "${inkan.crl.schedule.check}", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        running.lock();
        try {
            publisher.refresh();
            // A scope that just got a complete CRL gets its (empty) delta at once, so the Freshest CRL
            // pointer never serves a delta older than its base for a whole delta period.
            publisher.publishAll(Kind.COMPLETE, false, null, null).stream().filter(Publisher.Published::served)
                    .forEach(p -> publisher.publishDeltaAfterComplete(p));
            publisher.publishAll(Kind.DELTA, false, null, null);
            meters.refresh();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Scheduled CRL publication failed; retrying at the next check");
        } finally {
            running.unlock();
        }
    }
}
