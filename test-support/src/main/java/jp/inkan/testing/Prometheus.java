package jp.inkan.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a service's {@code /q/metrics} (Prometheus text format) on its management port, so tests
 * can check that a meter moved, not just that it exists.
 */
public final class Prometheus {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;

    private Prometheus(String text) {
        this.text = text;
    }

    /** Scrapes {@code http://127.0.0.1:<managementPort>/q/metrics}. */
    public static Prometheus scrape(int managementPort) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("/q/metrics answered " + response.statusCode());
            }
            return new Prometheus(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The sum of every sample of {@code name} whose labels include {@code labels}; 0 when none
     * (a meter not registered yet has not moved). Throws if nothing is named so and {@code labels} is empty.
     */
    public double value(String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.find() || !m.group(1).equals(name)) {
                continue;
            }
            if (matches(m.group(3), labels)) {
                sum += Double.parseDouble(m.group(4));
            }
        }
        return sum;
    }

    public double value(String name) {
        return value(name, Map.of());
    }

    /** Whether any sample is named {@code name}. */
    public boolean has(String name) {
        return text.lines().anyMatch(line -> line.startsWith(name + "{") || line.startsWith(name + " "));
    }

    public String text() {
        return text;
    }

    private static boolean matches(String labelText, Map<String, String> wanted) {
        if (wanted.isEmpty()) {
            return true;
        }
        Map<String, String> found = new java.util.HashMap<>();
        if (labelText != null) {
            Matcher l = LABEL.matcher(labelText);
            while (l.find()) {
                found.put(l.group(1), l.group(2));
            }
        }
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(found.get(e.getKey())));
    }
}
