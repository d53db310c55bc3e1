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
    /**
     * Invalidity dates (epoch seconds) per issuer and serial, for revoked certificates whose
     * revocation gave one: a minority (a key compromise, not a move of house), so a map beside the
     * packed table rather than a wider table.
     */
    private final Map<String, Map<BigInteger, Long>> invalidityDates = new ConcurrentHashMap<>();
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
        if (packed == 0) {
            return Optional.empty();
        }
        CertificateStatus status = CertificateStatus.unpack(packed);
        if (status.state() == CertificateStatus.State.REVOKED) {
            Long invalidity = invalidityDatesOf(issuerKeyId).get(serial);
            if (invalidity != null) {
                status = status.withInvalidityDate(Instant.ofEpochSecond(invalidity));
            }
        }
        return Optional.of(status);
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
            Instant invalidity = state == CertificateStatus.State.REVOKED && event.invalidityDate() != null
                    ? Instant.ofEpochSecond(event.invalidityDate().getEpochSecond()) : null;
            status = new CertificateStatus(state, state == CertificateStatus.State.VALID ? null : revokedAt, reason,
                    event.revision(), invalidity);
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
        // A reader that sees the new status must see its invalidity date: the date goes in first,
        // and is dropped only after a status without one replaced the entry.
        if (status.invalidityDate() != null) {
            restoreInvalidityDate(issuer, serial, status.invalidityDate().getEpochSecond());
        }
        table.put(serial, status.pack());
        if (status.invalidityDate() == null) {
            Map<BigInteger, Long> dates = invalidityDates.get(issuer);
            if (dates != null) {
                dates.remove(serial);
            }
        }
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

    /** Keeps one invalidity date (from an event, or from a snapshot before the consumer starts). */
    void restoreInvalidityDate(String issuerKeyId, BigInteger serial, long epochSeconds) {
        invalidityDates.computeIfAbsent(issuerKeyId, k -> new ConcurrentHashMap<>()).put(serial, epochSeconds);
    }

    void clear() {
        issuers.clear();
        invalidityDates.clear();
    }

    /** An issuer's invalidity dates (serial → epoch seconds); empty if it has none. */
    Map<BigInteger, Long> invalidityDatesOf(String issuerKeyId) {
        return invalidityDates.getOrDefault(issuerKeyId, Map.of());
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
