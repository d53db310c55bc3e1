package jp.inkan.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jp.inkan.testing.LocalEnv;

/**
 * What a service's application.properties asks of the environment it runs in: ports, the variables
 * it reads, the files under the PKI directory and the PKCS#11 token. Profile-less and %prod lines
 * only: %test and %dev do not run in a container.
 */
record ServiceConfig(String name, Map<String, String> properties, int port, Set<Integer> ports, boolean tls, int managementPort,
        Map<String, Optional<String>> envReferences, Set<String> pkiFiles, Map<String, String> pkiFileDefaults) {

    static final List<String> SERVICES = List.of("ca-service", "registration-service", "ocsp-responder", "crl-publisher");

    /** ${VAR} or ${VAR:default}, the default possibly holding one ${property} of its own. */
    private static final Pattern ENV_REFERENCE_WITH_NESTED_DEFAULT =
            Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::((?:[^{}]|\\$\\{[^}]*})*))?}");
    private static final Pattern PKI_FILE = Pattern.compile("\\$\\{inkan\\.pki\\.dir}/([A-Za-z0-9._-]+)");

    static List<ServiceConfig> all() {
        return SERVICES.stream().map(ServiceConfig::load).toList();
    }

    static ServiceConfig of(String name) {
        return load(name);
    }

    static Path repo() {
        return LocalEnv.repoDir().toAbsolutePath().normalize();
    }

    static ServiceConfig load(String name) {
        Path file = repo().resolve(name).resolve("src/main/resources/application.properties");
        Properties raw = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            raw.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (String key : new TreeSet<>(raw.stringPropertyNames())) {
            if (key.startsWith("%") && !key.startsWith("%prod.")) {
                continue;
            }
            properties.put(key, raw.getProperty(key));
        }
        Map<String, Optional<String>> env = new LinkedHashMap<>();
        Set<String> pki = new TreeSet<>();
        Map<String, String> pkiDefaults = new LinkedHashMap<>();
        for (String value : properties.values()) {
            Matcher m = ENV_REFERENCE_WITH_NESTED_DEFAULT.matcher(value);
            StringBuilder outside = new StringBuilder();
            while (m.find()) {
                env.putIfAbsent(m.group(1), Optional.ofNullable(m.group(2)));
                // A PKI file named only in a variable's default is needed only when that variable is unset.
                Matcher inDefault = PKI_FILE.matcher(m.group(2) == null ? "" : m.group(2));
                while (inDefault.find()) {
                    pkiDefaults.put(m.group(1), inDefault.group(1));
                }
                m.appendReplacement(outside, "");
            }
            m.appendTail(outside);
            Matcher p = PKI_FILE.matcher(outside);
            while (p.find()) {
                pki.add(p.group(1));
            }
        }
        // Every port the service listens on besides management: HTTPS if configured, plain HTTP unless
        // refused (ocsp-responder and crl-publisher serve both: plain for open CAs, HTTPS for mtls).
        // `port` is the one its peers and published URLs use: plain HTTP where served, else HTTPS.
        boolean tls = properties.containsKey("quarkus.http.ssl-port");
        boolean plain = properties.containsKey("quarkus.http.port")
                && !"disabled".equals(properties.get("quarkus.http.insecure-requests"));
        Set<Integer> ports = new TreeSet<>();
        if (tls) {
            ports.add(Integer.parseInt(properties.get("quarkus.http.ssl-port")));
        }
        if (plain) {
            ports.add(Integer.parseInt(properties.get("quarkus.http.port")));
        }
        int port = Integer.parseInt(properties.get(plain ? "quarkus.http.port" : "quarkus.http.ssl-port"));
        int management = Integer.parseInt(properties.get("quarkus.management.port"));
        return new ServiceConfig(name, properties, port, Set.copyOf(ports), tls, management, env, pki, pkiDefaults);
    }

    /** Properties naming a PKCS#11 library: the service needs a token (and its image softhsm2). */
    Map<String, String> hsmPrefixes() {
        Map<String, String> prefixes = new LinkedHashMap<>();
        properties.forEach((key, value) -> {
            if (key.endsWith("hsm.library")) {
                prefixes.put(key.substring(0, key.length() - "library".length()), value);
            }
        });
        return prefixes;
    }

    boolean usesHsm() {
        return !hsmPrefixes().isEmpty();
    }

    boolean usesKafka() {
        return envReferences.containsKey("INKAN_KAFKA_BOOTSTRAP");
    }

    Optional<String> databaseUrlVariable() {
        return envReferences.keySet().stream().filter(v -> v.endsWith("_DB_URL")).findFirst();
    }

    /** SmallRye Config's environment variable for a property name. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }
}
