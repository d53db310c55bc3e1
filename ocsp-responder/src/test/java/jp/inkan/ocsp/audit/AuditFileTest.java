package jp.inkan.ocsp.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.Test;

/** The responder's audit file: every change to a line is found and named; a torn last line is reported, not dropped. */
class AuditFileTest {

    private static AuditFile written(Path dir, int entries) {
        AuditFile file = new AuditFile(dir, Clock.systemUTC());
        for (int i = 1; i <= entries; i++) {
            file.append("tester", "test.event", "subject " + i, "detail " + i);
        }
        file.sync();
        return file;
    }

    @Test
    void anAlteredLineIsNamedByEntryAndLine() throws Exception {
        Path dir = TempDirs.create("audit-altered");
        try (AuditFile file = written(dir, 5)) {
            assertTrue(file.verify(List.of()).intact(), file.verify(List.of()).toString());
            List<String> lines = Files.readAllLines(file.file());
            lines.set(2, lines.get(2).replace("detail 3", "detail X"));
            Files.write(file.file(), lines);
            AuditFile.Verification v = file.verify(List.of());
            assertFalse(v.intact());
            assertEquals(List.of(new AuditFile.Problem(3, 3, "entry 3 was altered (its content does not match its hash)")),
                    v.breaks());
        }
    }

    @Test
    void removedReorderedAndForeignLinesAreNamed() throws Exception {
        Path dir = TempDirs.create("audit-removed");
        try (AuditFile file = written(dir, 6)) {
            List<String> lines = new ArrayList<>(Files.readAllLines(file.file()));
            lines.remove(1);                                    // entry 2 gone
            lines.add(3, lines.remove(2));                      // entries 4 and 5 swapped (now lines 3 and 4: 5, 4)
            lines.add("{\"note\":\"not an entry\"}");
            Files.write(file.file(), lines);
            List<AuditFile.Problem> breaks = file.verify(List.of()).breaks();
            assertTrue(breaks.stream().anyMatch(b -> b.seq() == 2 && b.problem().contains("missing")), breaks.toString());
            assertTrue(breaks.stream().anyMatch(b -> b.seq() == 4 && b.problem().contains("out of order")), breaks.toString());
            assertTrue(breaks.stream().anyMatch(b -> b.line() == 6 && b.problem().contains("line 6 is not an audit entry")),
                    breaks.toString());
        }
    }

    @Test
    void aTornLastLineIsReportedThenRecordedAtTheNextStartAndTheChainGoesOn() throws Exception {
        Path dir = TempDirs.create("audit-torn");
        AuditFile file = written(dir, 3);
        file.close();
        // A crash in the middle of writing entry 4 (cut inside a multi-byte character, too).
        Files.write(dir.resolve("audit.jsonl"), "{\"n\":4,\"at\":\"2026-12-02T00:00:00Z\",\"actor\":\"応".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);
        Files.write(dir.resolve("audit.jsonl"), new byte[] {(byte) 0xe7}, StandardOpenOption.APPEND);
        try (AuditFile again = new AuditFile(dir, Clock.systemUTC())) {
            AuditFile.Verification v = again.verify(List.of());
            assertTrue(v.intact(), v.toString());
            assertEquals(4, v.lastSeq(), "entry 4 records the torn line");
            assertEquals(1, v.notes().size(), v.notes().toString());
            assertTrue(v.notes().get(0).startsWith("line 4 (") && v.notes().get(0).contains("recorded by entry 4"), v.notes().toString());
            List<String> lines = Files.readAllLines(again.file(), StandardCharsets.ISO_8859_1);
            assertTrue(lines.get(4).contains("\"event\":\"audit.torn-line\""), lines.get(4));
            again.append("tester", "test.event", "after", "the crash");
            assertTrue(again.verify(List.of()).intact());
            assertEquals(5, again.head().orElseThrow().seq());
        }
        // The torn line itself stays; hiding it (removing the line, keeping the record) is a break.
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("audit.jsonl"), StandardCharsets.ISO_8859_1));
        lines.remove(3);
        Files.write(dir.resolve("audit.jsonl"), lines, StandardCharsets.ISO_8859_1);
        try (AuditFile again = new AuditFile(dir, Clock.systemUTC())) {
            List<AuditFile.Problem> breaks = again.verify(List.of()).breaks();
            assertEquals(1, breaks.size(), breaks.toString());
            assertEquals(4, breaks.get(0).seq());
            assertTrue(breaks.get(0).problem().contains("records a torn line that is not"), breaks.toString());
        }
    }

    @Test
    void aTornLineNotYetRecordedIsABreakOnItsLine() throws Exception {
        Path dir = TempDirs.create("audit-torn-open");
        try (AuditFile file = written(dir, 2)) {
            Files.write(file.file(), "{\"n\":3,\"at".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
            List<AuditFile.Problem> breaks = file.verify(List.of()).breaks();
            assertEquals(1, breaks.size(), breaks.toString());
            assertEquals(3, breaks.get(0).line());
            assertTrue(breaks.get(0).problem().contains("torn"), breaks.toString());
        }
    }

    @Test
    void aFileRewrittenConsistentlyIsCaughtByItsAnchor() throws Exception {
        Path dir = TempDirs.create("audit-rewritten");
        AuditAnchor anchor;
        try (AuditFile file = written(dir, 4)) {
            anchor = file.head().orElseThrow();
        }
        // Start over with other content: the chain is consistent, but not the one anchored.
        Files.delete(dir.resolve("audit.jsonl"));
        try (AuditFile rewritten = written(dir, 4)) {
            assertTrue(rewritten.verify(List.of()).intact());
            AuditFile.Verification v = rewritten.verify(List.of(anchor,
                    new AuditAnchor("responder-another", 4, "00".repeat(32), 9)));
            assertEquals(1, v.anchors(), "only this file's chain counts");
            assertEquals(1, v.breaks().size(), v.breaks().toString());
            assertEquals(4, v.breaks().get(0).seq());
            assertTrue(v.breaks().get(0).problem().contains("rewritten"), v.breaks().toString());
        }
    }
}
