package jp.inkan.ocsp.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.events.CertificateEvent;

/**
 * Every certificate's status, per issuing key generation, built from the certificate events. Events
 * are applied idempotently: one whose revision is not above the applied one changes nothing, so a
 * re-delivered or re-published event is harmless. One thread applies; any thread reads.
 */
@ApplicationScoped
public class StatusStore implements StatusSource {

    public enum Outcome {
        APPLIED, STALE, REJECTED
    }

    private final Map<String, SerialTable> issuers = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    /** Only when tracking is on (tests): revisions applied per key since start. */
    private volatile Map<String, List<Long>> appliedRevisions;

    public void trackApplies(boolean on) {
        appliedRevisions = on ? new ConcurrentHashMap<>() : null;
    }

    @Override
    public Optional<CertificateStatus> find(String issuerKeyId, BigInteger serial) {
        SerialTable table = issuers.get(issuerKeyId);
        if (table == null) {
            return Optional.empty();
        }
        long packed = table.get(serial);
        return packed == 0 ? Optional.empty() : Optional.of(CertificateStatus.unpack(packed));
    }

    /** Applies one event unless an equal or newer revision of its certificate is applied already. */
    public Outcome apply(CertificateEvent event) {
        CertificateStatus status;
        BigInteger serial;
        String issuer;
        try {
            if (event.schema() != CertificateEvent.SCHEMA || event.issuerKeyId() == null || event.serial() == null
                    || event.status() == null) {
                rejected.incrementAndGet();
                return Outcome.REJECTED;
            }
            issuer = event.issuerKeyId().toLowerCase(Locale.ROOT);
            serial = new BigInteger(event.serial(), 16);
            CertificateStatus.State state = CertificateStatus.State.valueOf(event.status());
            Instant revokedAt = event.revokedAt() == null ? null : Instant.ofEpochSecond(event.revokedAt().getEpochSecond());
            RevocationReason reason = event.reason();
            if (state != CertificateStatus.State.VALID && revokedAt == null) {
                rejected.incrementAndGet();
                return Outcome.REJECTED;
            }
            status = new CertificateStatus(state, state == CertificateStatus.State.VALID ? null : revokedAt, reason,
                    event.revision());
            status.pack();
        } catch (RuntimeException e) {
            rejected.incrementAndGet();
            return Outcome.REJECTED;
        }
        SerialTable table = issuers.computeIfAbsent(issuer, k -> new SerialTable());
        long current = table.get(serial);
        if (current != 0 && CertificateStatus.revisionOf(current) >= event.revision()) {
            stale.incrementAndGet();
            return Outcome.STALE;
        }
        table.put(serial, status.pack());
        applied.incrementAndGet();
        Map<String, List<Long>> tracking = appliedRevisions;
        if (tracking != null) {
            tracking.computeIfAbsent(issuer + ":" + serial.toString(16), k -> new ArrayList<>()).add(event.revision());
        }
        return Outcome.APPLIED;
    }

    /** Restores one entry from a snapshot (before the consumer starts). */
    void restore(String issuerKeyId, BigInteger serial, long packed) {
        issuers.computeIfAbsent(issuerKeyId, k -> new SerialTable()).put(serial, packed);
    }

    void clear() {
        issuers.clear();
    }

    /** Every issuer's entries, packed; writer thread only. */
    void forEachIssuer(BiConsumer<String, SerialTable> action) {
        issuers.forEach(action);
    }

    /** Whether any certificate of this issuing key is known (its issuance or revocation events arrived). */
    public boolean hasCertificatesOf(String issuerKeyId) {
        SerialTable table = issuers.get(issuerKeyId);
        return table != null && table.size() > 0;
    }

    public long size() {
        return issuers.values().stream().mapToLong(SerialTable::size).sum();
    }

    public long applied() {
        return applied.get();
    }

    public long stale() {
        return stale.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** Revisions applied per key since start, when tracking is on. */
    public Optional<List<Long>> appliedRevisions(String issuerKeyId, BigInteger serial) {
        Map<String, List<Long>> tracking = appliedRevisions;
        if (tracking == null) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(tracking.getOrDefault(issuerKeyId + ":" + serial.toString(16), List.of())));
    }

    /** Keys applied more than once at the same or a lower revision (must stay empty), when tracking is on. */
    public Optional<List<String>> duplicateApplies() {
        Map<String, List<Long>> tracking = appliedRevisions;
        if (tracking == null) {
            return Optional.empty();
        }
        List<String> duplicates = new ArrayList<>();
        tracking.forEach((key, revisions) -> {
            for (int i = 1; i < revisions.size(); i++) {
                if (revisions.get(i) <= revisions.get(i - 1)) {
                    duplicates.add(key + " " + revisions);
                    return;
                }
            }
        });
        return Optional.of(duplicates);
    }
}
