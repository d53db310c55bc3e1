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
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.Test;

class OcspStatusStoreTest {

    static final String ISSUER = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

    static CertificateEvent event(String issuer, BigInteger serial, long revision, String status, Instant at,
                                  RevocationReason reason) {
        return event(issuer, serial, revision, status, at, reason, null);
    }

    static CertificateEvent event(String issuer, BigInteger serial, long revision, String status, Instant at,
                                  RevocationReason reason, Instant invalidityDate) {
        return new CertificateEvent(1, UUID.randomUUID().toString(), CertificateEvent.Kind.REVOKED, revision,
                CertificateType.SIGNATURE, 1, issuer, serial.toString(16), "131016", Instant.parse("2031-01-01T00:00:00Z"),
                status, at, reason, invalidityDate, Instant.now());
    }

    @Test
    void invalidityDatesGoWithRevokedStatusesOnly() {
        StatusStore store = new StatusStore();
        BigInteger compromised = BigInteger.valueOf(0x1001);
        BigInteger held = BigInteger.valueOf(0x1002);
        BigInteger moved = BigInteger.valueOf(0x1003);
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        Instant invalid = Instant.parse("2026-11-28T09:30:15.750Z");
        store.apply(event(ISSUER, compromised, 1, "VALID", null, null));
        store.apply(event(ISSUER, compromised, 2, "ON_HOLD", at, RevocationReason.CERTIFICATE_HOLD, invalid));
        assertNull(store.find(ISSUER, compromised).orElseThrow().invalidityDate(), "a hold carries none (as on the CRL)");
        store.apply(event(ISSUER, compromised, 3, "REVOKED", at, RevocationReason.KEY_COMPROMISE, invalid));
        assertEquals(Instant.parse("2026-11-28T09:30:15Z"), store.find(ISSUER, compromised).orElseThrow().invalidityDate(),
                "second precision, as every time the responder signs");
        assertEquals(StatusStore.Outcome.STALE, store.apply(event(ISSUER, compromised, 3, "REVOKED", at,
                RevocationReason.KEY_COMPROMISE, null)));
        assertEquals(Instant.parse("2026-11-28T09:30:15Z"), store.find(ISSUER, compromised).orElseThrow().invalidityDate(),
                "a stale event changes nothing");
        // A hold released (removeFromCRL) leaves a valid certificate without a date.
        store.apply(event(ISSUER, held, 1, "ON_HOLD", at, RevocationReason.CERTIFICATE_HOLD, invalid));
        store.apply(event(ISSUER, held, 2, "VALID", null, RevocationReason.REMOVE_FROM_CRL, null));
        assertNull(store.find(ISSUER, held).orElseThrow().invalidityDate());
        store.apply(event(ISSUER, moved, 1, "REVOKED", at, RevocationReason.AFFILIATION_CHANGED));
        assertNull(store.find(ISSUER, moved).orElseThrow().invalidityDate());
        assertTrue(store.find("beef", compromised).isEmpty());
    }

    @Test
    void invalidityDatesSurviveASnapshotAndAnOlderFormatIsRebuiltFromTheTopic() throws Exception {
        StatusStore store = new StatusStore();
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        List<BigInteger> serials = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            BigInteger serial = BigInteger.valueOf(0x2000 + i);
            serials.add(serial);
            String issuer = i % 2 == 0 ? ISSUER : "beef";
            store.apply(event(issuer, serial, 1, "REVOKED", at, RevocationReason.KEY_COMPROMISE,
                    i % 3 == 0 ? at.minusSeconds(3600 + i) : null));
        }
        Path dir = TempDirs.create("snapshot");
        Snapshot.write(dir, "topic", Map.of(0, 300L), store);
        StatusStore restored = new StatusStore();
        Snapshot.read(dir, "topic", restored).orElseThrow();
        for (int i = 0; i < serials.size(); i++) {
            String issuer = i % 2 == 0 ? ISSUER : "beef";
            CertificateStatus status = restored.find(issuer, serials.get(i)).orElseThrow();
            assertEquals(i % 3 == 0 ? at.minusSeconds(3600 + i) : null, status.invalidityDate(), "serial " + i);
            assertEquals(store.find(issuer, serials.get(i)), restored.find(issuer, serials.get(i)));
        }

        // A snapshot of the first format (no invalidity dates) would hide them: it is not loaded.
        byte[] bytes = Files.readAllBytes(dir.resolve(Snapshot.FILE));
        byte[] oldMagic = "INKAN-OCSP-SNAPSHOT-1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(oldMagic, 0, bytes, 2, oldMagic.length);
        Files.write(dir.resolve(Snapshot.FILE), bytes);
        StatusStore fromOld = new StatusStore();
        assertTrue(Snapshot.read(dir, "topic", fromOld).isEmpty());
        assertEquals(0, fromOld.size());
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
        Path dir = TempDirs.create("snapshot");
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
