package jp.inkan.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Reading the deployment files: YAML (with anchors and merge keys), Dockerfiles, .dockerignore; running scripts. */
final class DeployFiles {

    private DeployFiles() {
    }

    /** SoftHSM2's token directory in the text of a softhsm2.conf. */
    static String softHsmTokenDir(String conf) {
        return conf.lines().filter(l -> l.startsWith("directories.tokendir")).findFirst().orElseThrow()
                .split("=")[1].strip();
    }

    static Map<String, Object> yaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml(new LoaderOptions()).load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml(new LoaderOptions()).loadAll(text)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    /** A nested value: path elements are map keys or list indexes; null when absent. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, Object... path) {
        Object current = node;
        for (Object step : path) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(step);
            } else if (current instanceof List<?> list && step instanceof Integer i) {
                current = i < list.size() ? list.get(i) : null;
            } else {
                return null;
            }
        }
        return (T) current;
    }

    static Map<String, Object> map(Object node, Object... path) {
        Map<String, Object> value = at(node, path);
        return value == null ? Map.of() : value;
    }

    static List<Object> list(Object node, Object... path) {
        List<Object> value = at(node, path);
        return value == null ? List.of() : value;
    }

    /** The instructions of a Dockerfile that matter here. */
    record Dockerfile(Path path, String from, Map<String, String> env, List<String> copySources, String entrypoint) {

        private static final Pattern ENV_PAIR = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)");

        static Dockerfile read(Path path) {
            String text;
            try {
                text = Files.readString(path, StandardCharsets.UTF_8).replace("\\\n", " ");
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + path, e);
            }
            String from = null;
            String entrypoint = null;
            Map<String, String> env = new LinkedHashMap<>();
            List<String> copies = new ArrayList<>();
            for (String line : text.split("\n")) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                    continue;
                }
                String[] words = trimmed.split("\\s+");
                switch (words[0]) {
                    case "FROM" -> from = words[1];
                    case "ENV" -> {
                        Matcher m = ENV_PAIR.matcher(trimmed.substring(3));
                        while (m.find()) {
                            env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                        }
                    }
                    case "COPY" -> {
                        List<String> args = new ArrayList<>();
                        for (int i = 1; i < words.length; i++) {
                            if (!words[i].startsWith("--")) {
                                args.add(words[i]);
                            }
                        }
                        copies.addAll(args.subList(0, args.size() - 1));
                    }
                    case "ENTRYPOINT" -> entrypoint = trimmed.replaceAll("^ENTRYPOINT\\s*\\[\"([^\"]+)\".*$", "$1");
                    default -> {
                    }
                }
            }
            return new Dockerfile(path, from, env, copies, entrypoint);
        }

        /** Whether the build context keeps the path (BuildKit's <Dockerfile>.dockerignore beside the Dockerfile). */
        boolean contextKeeps(String source) {
            Path ignore = path.resolveSibling(path.getFileName() + ".dockerignore");
            assertTrue(Files.exists(ignore), "no " + ignore + ": the whole repository (.inkan-local too) would be sent");
            boolean kept = true;
            try {
                for (String line : Files.readAllLines(ignore)) {
                    String pattern = line.strip();
                    if (pattern.isEmpty() || pattern.startsWith("#")) {
                        continue;
                    }
                    boolean exception = pattern.startsWith("!");
                    String glob = (exception ? pattern.substring(1) : pattern).replaceAll("/$", "");
                    var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
                    // A pattern matching the path or one of its parents decides; the last one wins.
                    for (Path p = Path.of(source.replaceAll("/$", "")); p != null; p = p.getParent()) {
                        if (matcher.matches(p)) {
                            kept = exception;
                            break;
                        }
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return kept;
        }
    }

    record Run(int exitCode, String output) {
    }

    /** Runs a command with extra environment variables; output and errors together. */
    static Run run(Map<String, String> env, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
