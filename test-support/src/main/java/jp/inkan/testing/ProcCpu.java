package jp.inkan.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** CPU time of Linux processes or threads, read from their {@code stat} files under /proc. */
public final class ProcCpu {

    /** Length of a clock tick, the unit of the times in {@code stat} (USER_HZ is 100 on Linux). */
    public static final long TICK_MILLIS = 10;

    private ProcCpu() {
    }

    /**
     * Clock ticks (utime + stime) of the entries of {@code dir} whose command matches: processes
     * under {@code /proc}, a process's threads under {@code /proc/<pid>/task}. With
     * {@code withReapedChildren} each also adds its children that exited and were reaped (cutime +
     * cstime), so a child that ends between two readings still counts. Entries that end while
     * being read are skipped.
     */
    public static long ticks(Path dir, Predicate<String> command, boolean withReapedChildren) throws IOException {
        long ticks = 0;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (!entry.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue; // /proc/self and the like would count a process twice
                }
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                int close = stat.lastIndexOf(')');
                if (!command.test(stat.substring(stat.indexOf('(') + 1, close))) {
                    continue;
                }
                // After the command: state is field 1; utime, stime, cutime, cstime are fields 12 to 15.
                String[] fields = stat.substring(close + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                if (withReapedChildren) {
                    ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
                }
            }
        }
        return ticks;
    }
}
