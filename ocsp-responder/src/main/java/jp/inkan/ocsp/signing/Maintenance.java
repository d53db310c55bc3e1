package jp.inkan.ocsp.signing;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import jp.inkan.ocsp.config.OcspConfig;
import jp.inkan.ocsp.issuers.CaDirectory;
import org.jboss.logging.Logger;

/**
 * The periodic job: refresh the list of CA key generations when due (or while it is still empty),
 * then make sure each has a responder certificate that is not due for renewal.
 */
@ApplicationScoped
public class Maintenance {

    private static final Logger LOG = Logger.getLogger(Maintenance.class);

    private final CaDirectory directory;
    private final ResponderCredentials credentials;
    private final OcspConfig config;
    private final Clock clock;

    public Maintenance(CaDirectory directory, ResponderCredentials credentials, OcspConfig config, Clock clock) {
        this.directory = directory;
        this.credentials = credentials;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "${inkan.ocsp.responder-certificates.check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        Instant now = clock.instant();
        boolean due = directory.refreshedAt().map(at -> !now.isBefore(at.plus(config.caService().refreshInterval())))
                .orElse(true);
        if (due || directory.served().isEmpty()) {
            try {
                directory.refresh();
            } catch (RuntimeException e) {
                LOG.warnf("CA list not refreshed: %s", e.getMessage());
            }
        }
        credentials.ensure(directory.served());
    }
}
