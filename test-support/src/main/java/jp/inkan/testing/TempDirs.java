package jp.inkan.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Scratch directories of tests. Many are made before a Quarkus application starts (a profile's
 * config, a static helper) and must outlive the test that made them, so JUnit's {@code @TempDir}
 * does not fit; these go when the test JVM exits, so runs do not pile them up in /tmp.
 */
public final class TempDirs {

    private static final List<Path> MADE = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TempDirs::deleteMade, "test-temp-dirs"));
    }

    private TempDirs() {
    }

    /** A new empty directory under the system's temporary directory, deleted at JVM exit. */
    public static Path create(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            MADE.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything in it; nothing to do if it is not there. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteMade() {
        for (Path dir : MADE) {
            try {
                deleteRecursively(dir);
            } catch (UncheckedIOException e) {
                System.err.println("Could not delete test directory " + dir + ": " + e.getCause());
            }
        }
    }
}
