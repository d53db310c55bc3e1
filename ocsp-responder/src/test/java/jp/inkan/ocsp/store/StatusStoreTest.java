package jp.inkan.ocsp.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jp.inkan.common.CertificateType;
import jp.inkan.common.RevocationReason;
import jp.inkan.common.events.CertificateEvent;
import org.junit.jupiter.api.Test;

class StatusStoreTest {

    static final String ISSUER = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

    static CertificateEvent event(String issuer, BigInteger serial, long revision, String status, Instant at,
                                  RevocationReason reason) {
        return new CertificateEvent(1, UUID.randomUUID().toString(), CertificateEvent.Kind.REVOKED, revision,
                CertificateType.SIGNATURE, 1, issuer, serial.toString(16), "131016", Instant.parse("2031-01-01T00:00:00Z"),
                status, at, reason, null, Instant.now());
    }

    @Test
    void appliesByRevisionOnlyAndIgnoresRepeatsAndOlderOnes() {
        StatusStore store = new StatusStore();
        store.trackApplies(true);
        BigInteger serial = new BigInteger("7f3a", 16);
        Instant at = Instant.parse("2026-12-01T10:00:00.123456Z");
        assertEquals(StatusStore.Outcome.APPLIED, store.apply(event(ISSUER, serial, 1, "VALID", null, null)));
        assertEquals(StatusStore.Outcome.APPLIED,
                store.apply(event(ISSUER, serial, 3, "REVOKED", at, RevocationReason.KEY_COMPROMISE)));
        assertEquals(StatusStore.Outcome.STALE, store.apply(event(ISSUER, serial, 2, "ON_HOLD", at, RevocationReason.CERTIFICATE_HOLD)));
        assertEquals(StatusStore.Outcome.STALE, store.apply(event(ISSUER, serial, 3, "REVOKED", at, RevocationReason.KEY_COMPROMISE)));
        CertificateStatus status = store.find(ISSUER, serial).orElseThrow();
        assertEquals(CertificateStatus.State.REVOKED, status.state());
        assertEquals(Instant.parse("2026-12-01T10:00:00Z"), status.revokedAt());
        assertEquals(RevocationReason.KEY_COMPROMISE, status.reason());
        assertEquals(3, status.revision());
        assertEquals(List.of(1L, 3L), store.appliedRevisions(ISSUER, serial).orElseThrow());
        assertEquals(List.of(), store.duplicateApplies().orElseThrow());
        assertTrue(store.find("ffff", serial).isEmpty());
        assertTrue(store.find(ISSUER, serial.add(BigInteger.ONE)).isEmpty());
    }

    @Test
    void refusesUnknownSchemasAndBrokenEvents() {
        StatusStore store = new StatusStore();
        CertificateEvent ok = event(ISSUER, BigInteger.TEN, 1, "VALID", null, null);
        assertEquals(StatusStore.Outcome.REJECTED, store.apply(new CertificateEvent(2, "e", ok.kind(), 1, ok.ca(), 1,
                ISSUER, "a", "131016", ok.notAfter(), "VALID", null, null, null, ok.occurredAt())));
        assertEquals(StatusStore.Outcome.REJECTED, store.apply(event(ISSUER, BigInteger.TEN, 1, "WEIRD", null, null)));
        assertEquals(StatusStore.Outcome.REJECTED, store.apply(event(ISSUER, BigInteger.TEN, 1, "REVOKED", null, null)));
        assertEquals(0, store.size());
    }

    @Test
    void manyEntriesLongSerialsAndASnapshotRoundTrip() throws Exception {
        StatusStore store = new StatusStore();
        SecureRandom random = new SecureRandom();
        List<BigInteger> serials = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            BigInteger serial = new BigInteger(i % 100 == 0 ? 159 : 127, random).add(BigInteger.ONE);
            serials.add(serial);
            store.apply(event(i % 2 == 0 ? ISSUER : "beef", serial, 1, "VALID", null, null));
            if (i % 3 == 0) {
                store.apply(event(i % 2 == 0 ? ISSUER : "beef", serial, 2, "REVOKED", Instant.ofEpochSecond(1_700_000_000L + i),
                        RevocationReason.SUPERSEDED));
            }
        }
        assertEquals(20_000, store.size());
        Path dir = Files.createTempDirectory("snapshot");
        Snapshot.write(dir, "topic", Map.of(0, 42L, 1, 7L), store);

        StatusStore restored = new StatusStore();
        Snapshot.Loaded loaded = Snapshot.read(dir, "topic", restored).orElseThrow();
        assertEquals(Map.of(0, 42L, 1, 7L), loaded.offsets());
        assertEquals(20_000, loaded.entries());
        for (int i = 0; i < serials.size(); i++) {
            String issuer = i % 2 == 0 ? ISSUER : "beef";
            assertEquals(store.find(issuer, serials.get(i)), restored.find(issuer, serials.get(i)));
        }
        assertTrue(Snapshot.read(dir, "another-topic", new StatusStore()).isEmpty());

        // A damaged snapshot is ignored (rebuild from the topic), never half loaded.
        try (var channel = java.nio.channels.FileChannel.open(dir.resolve(Snapshot.FILE), StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {0x55}), 200);
        }
        StatusStore damaged = new StatusStore();
        assertTrue(Snapshot.read(dir, "topic", damaged).isEmpty());
        assertEquals(0, damaged.size());
    }

    @Test
    void packedStatusKeepsEveryField() {
        for (RevocationReason reason : RevocationReason.values()) {
            CertificateStatus status = new CertificateStatus(CertificateStatus.State.REVOKED,
                    Instant.parse("2099-12-31T23:59:59Z"), reason, CertificateStatus.MAX_REVISION);
            assertEquals(status, CertificateStatus.unpack(status.pack()));
        }
        CertificateStatus valid = new CertificateStatus(CertificateStatus.State.VALID, null, null, 1);
        assertEquals(valid, CertificateStatus.unpack(valid.pack()));
        assertNull(CertificateStatus.unpack(valid.pack()).revokedAt());
    }
}
