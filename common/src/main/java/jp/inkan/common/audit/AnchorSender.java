package jp.inkan.common.audit;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * Anchors a service's audit chain head in ca-service's chain, which ca-service seals in its HSM:
 * a chain rewritten after an anchor no longer matches it. The same for every service that keeps a
 * chain of its own (registration-service, crl-publisher, ocsp-responder).
 */
public final class AnchorSender {

    private static final Logger LOG = Logger.getLogger(AnchorSender.class);

    private final Supplier<Optional<AuditAnchor>> head;
    private final UnaryOperator<AuditAnchor> send;
    private AuditAnchor lastAnchored;

    /**
     * @param head the chain's current head, if it has entries
     * @param send hands a head to ca-service and returns what ca-service recorded
     */
    public AnchorSender(Supplier<Optional<AuditAnchor>> head, UnaryOperator<AuditAnchor> send) {
        this.head = head;
        this.send = send;
    }

    /** Sends the chain head unless it is the one last anchored; returns what ca-service recorded. */
    public synchronized Optional<AuditAnchor> anchor() {
        Optional<AuditAnchor> current = head.get();
        if (current.isEmpty() || current.get().equals(lastAnchored)) {
            return Optional.empty();
        }
        AuditAnchor recorded = send.apply(current.get());
        lastAnchored = current.get();
        return Optional.of(recorded);
    }

    /** {@link #anchor()}, a failure logged instead of thrown: the next run tries again. */
    public void anchorQuietly() {
        try {
            anchor().ifPresent(recorded -> LOG.debugf("Anchored audit entry %d of chain %s in ca-service (its entry %d)",
                    (Object) recorded.seq(), recorded.chain(), (Object) recorded.anchoredAs()));
        } catch (RuntimeException e) {
            LOG.warnf("Could not anchor the audit chain head in ca-service (tried again at the next run): %s", e.getMessage());
        }
    }

    /**
     * The anchors ca-service holds for this service, or null when it did not answer: the
     * verification then reports the anchors as unchecked rather than failing.
     */
    public static List<AuditAnchor> anchorsOrNull(Supplier<List<AuditAnchor>> fetch) {
        try {
            return fetch.get();
        } catch (RuntimeException e) {
            LOG.warnf("Could not read the audit anchors from ca-service: %s", e.getMessage());
            return null;
        }
    }

    /** Whether an {@code anchor-every} setting turns anchoring off ({@code off} or {@code disabled}). */
    public static boolean isOff(String anchorEvery) {
        String every = anchorEvery.trim().toLowerCase(Locale.ROOT);
        return every.equals("off") || every.equals("disabled");
    }
}
