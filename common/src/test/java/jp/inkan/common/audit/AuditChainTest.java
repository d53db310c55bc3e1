package jp.inkan.common.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    static List<AuditChain.Entry> chain(int n) {
        List<AuditChain.Entry> out = new ArrayList<>();
        byte[] prev = AuditChain.GENESIS;
        Instant at = Instant.parse("2026-12-02T10:00:00.123456789Z");
        for (int seq = 1; seq <= n; seq++) {
            byte[] hash = AuditChain.hash(seq, at, "alice", "action" + seq, "subject", "detail " + seq, prev);
            out.add(new AuditChain.Entry(seq, AuditChain.storable(at), "alice", "action" + seq, "subject", "detail " + seq,
                    prev, hash));
            prev = hash;
        }
        return out;
    }

    static List<AuditChain.Break> verify(List<AuditChain.Entry> entries) {
        AuditChain.Verifier verifier = new AuditChain.Verifier();
        entries.forEach(verifier::accept);
        return verifier.breaks();
    }

    static AuditChain.Entry withDetail(AuditChain.Entry e, String detail) {
        return new AuditChain.Entry(e.seq(), e.at(), e.actor(), e.action(), e.subject(), detail, e.prevHash(), e.entryHash());
    }

    @Test
    void anIntactChainHasNoBreak() {
        assertEquals(List.of(), verify(chain(20)));
    }

    @Test
    void anAlteredEntryIsFoundWhereItIs() {
        List<AuditChain.Entry> entries = new ArrayList<>(chain(10));
        entries.set(6, withDetail(entries.get(6), "detail 7 (edited)"));
        List<AuditChain.Break> breaks = verify(entries);
        assertEquals(1, breaks.size(), breaks.toString());
        assertEquals(7, breaks.get(0).seq());
        assertTrue(breaks.get(0).problem().contains("altered"));
    }

    @Test
    void anAlteredEntryWithItsHashRecomputedBreaksTheNextLink() {
        List<AuditChain.Entry> entries = new ArrayList<>(chain(10));
        AuditChain.Entry e = entries.get(3);
        byte[] forged = AuditChain.hash(e.seq(), e.at(), e.actor(), e.action(), e.subject(), "forged", e.prevHash());
        entries.set(3, new AuditChain.Entry(e.seq(), e.at(), e.actor(), e.action(), e.subject(), "forged", e.prevHash(), forged));
        List<AuditChain.Break> breaks = verify(entries);
        assertEquals(5, breaks.get(0).seq(), breaks.toString());
        assertTrue(breaks.get(0).problem().contains("does not follow entry 4"));
    }

    @Test
    void aRemovedEntryIsFound() {
        List<AuditChain.Entry> entries = new ArrayList<>(chain(10));
        entries.remove(4);
        List<AuditChain.Break> breaks = verify(entries);
        assertEquals(5, breaks.get(0).seq(), breaks.toString());
        assertTrue(breaks.get(0).problem().contains("missing"));
    }

    @Test
    void reorderedEntriesAreFound() {
        List<AuditChain.Entry> entries = new ArrayList<>(chain(10));
        // Contents of 4 and 5 swapped, sequence numbers kept (what an UPDATE of seq would give).
        AuditChain.Entry four = entries.get(3);
        AuditChain.Entry five = entries.get(4);
        entries.set(3, new AuditChain.Entry(4, five.at(), five.actor(), five.action(), five.subject(), five.detail(),
                five.prevHash(), five.entryHash()));
        entries.set(4, new AuditChain.Entry(5, four.at(), four.actor(), four.action(), four.subject(), four.detail(),
                four.prevHash(), four.entryHash()));
        List<AuditChain.Break> breaks = verify(entries);
        assertEquals(4, breaks.get(0).seq(), breaks.toString());
    }

    @Test
    void aRewrittenChainIsCaughtByTheSeal() {
        List<AuditChain.Entry> original = chain(10);
        byte[] sealed = original.get(7).entryHash();
        // Entry 3 changed and every hash after it recomputed: the chain itself is consistent again.
        List<AuditChain.Entry> rewritten = new ArrayList<>();
        byte[] prev = AuditChain.GENESIS;
        for (AuditChain.Entry e : original) {
            String detail = e.seq() == 3 ? "rewritten" : e.detail();
            byte[] hash = AuditChain.hash(e.seq(), e.at(), e.actor(), e.action(), e.subject(), detail, prev);
            rewritten.add(new AuditChain.Entry(e.seq(), e.at(), e.actor(), e.action(), e.subject(), detail, prev, hash));
            prev = hash;
        }
        AuditChain.Verifier verifier = new AuditChain.Verifier();
        rewritten.forEach(verifier::accept);
        verifier.seal(8, sealed, true);
        assertEquals(1, verifier.breaks().size());
        assertTrue(verifier.breaks().get(0).problem().contains("rewritten"), verifier.breaks().toString());
    }
}
