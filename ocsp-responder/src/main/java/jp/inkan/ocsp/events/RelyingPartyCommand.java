package jp.inkan.ocsp.events;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.common.relyingparty.RegistryTopic;
import jp.inkan.common.relyingparty.RelyingPartyIndex;
import jp.inkan.common.relyingparty.Usage;
import jp.inkan.common.relyingparty.UsageTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The operator command for the relying-party registry (run by {@code deploy/local/relying-party.sh}
 * from the responder's packaged classes, without starting the responder):
 *
 * <pre>
 * add      --id ID --name NAME --kind SIGNATURE_VERIFIER|AUTHENTICATION_VERIFIER|PLATFORM_OPERATOR
 *          --ca signature[,authentication] [--client-cert PEM]... [--signer-cert PEM]... [--rate N]
 *          (an existing id is replaced, its state kept)
 * suspend  --id ID
 * activate --id ID
 * list
 * usage    [--day YYYY-MM-DD] [--service ocsp-responder|crl-publisher] [--management URL[,URL...]]
 *          (from the usage topic, every replica summed; the named replicas publish first)
 * </pre>
 * Bootstrap servers from {@code INKAN_KAFKA_BOOTSTRAP}, topic {@code INKAN_RELYING_PARTY_TOPIC}
 * (default {@value RelyingParty#TOPIC}), usage topic {@code INKAN_RELYING_PARTY_USAGE_TOPIC}
 * (default {@value UsageTopic#TOPIC}). Bad input is refused with a message and exit code 2, and
 * nothing is written.
 */
public final class RelyingPartyCommand {

    private RelyingPartyCommand() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usageError("a command is required: add, suspend, activate, list, usage");
        }
        Map<String, List<String>> options = options(args);
        String bootstrap = System.getenv().getOrDefault("INKAN_KAFKA_BOOTSTRAP", "127.0.0.1:59092");
        String topic = System.getenv().getOrDefault("INKAN_RELYING_PARTY_TOPIC", RelyingParty.TOPIC);
        switch (args[0]) {
            case "add" -> add(bootstrap, topic, options);
            case "suspend" -> changeState(bootstrap, topic, one(options, "id"), RelyingParty.State.SUSPENDED);
            case "activate" -> changeState(bootstrap, topic, one(options, "id"), RelyingParty.State.ACTIVE);
            case "list" -> list(bootstrap, topic);
            case "usage" -> usage(bootstrap, options);
            default -> usageError("unknown command " + args[0]);
        }
    }

    private static void add(String bootstrap, String topic, Map<String, List<String>> options) throws Exception {
        String id = one(options, "id");
        RelyingParty.Kind kind;
        try {
            kind = RelyingParty.Kind.valueOf(one(options, "kind").toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw usageError("--kind must be one of " + List.of(RelyingParty.Kind.values()));
        }
        Set<CertificateType> cas = EnumSet.noneOf(CertificateType.class);
        for (String ca : one(options, "ca").split(",")) {
            try {
                cas.add(CertificateType.valueOf(ca.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw usageError("--ca takes signature and/or authentication, not " + ca);
            }
        }
        List<String> clientFingerprints = new ArrayList<>();
        for (String file : options.getOrDefault("client-cert", List.of())) {
            X509Certificate certificate = RelyingPartyIndex.certificate(read(file));
            clientFingerprints.add(RelyingParty.fingerprint(certificate.getEncoded()));
        }
        List<String> signers = new ArrayList<>();
        for (String file : options.getOrDefault("signer-cert", List.of())) {
            String pem = read(file);
            RelyingPartyIndex.certificate(pem);
            signers.add(pem);
        }
        Integer rate = null;
        if (options.containsKey("rate")) {
            try {
                rate = Integer.valueOf(one(options, "rate"));
            } catch (NumberFormatException e) {
                throw usageError("--rate takes requests per second, a whole number");
            }
        }
        RelyingParty draft = new RelyingParty(RelyingParty.SCHEMA, id, one(options, "name"), kind, cas, clientFingerprints,
                signers, rate, RelyingParty.State.ACTIVE, 1);
        if (!draft.problems().isEmpty()) {
            throw usageError(String.join("; ", draft.problems())); // before anything is read or written
        }
        RegistryTopic.ensure(bootstrap, topic);
        RelyingParty existing = RegistryTopic.readAll(bootstrap, topic).get(id);
        RelyingParty party = existing == null ? draft : new RelyingParty(RelyingParty.SCHEMA, id, draft.name(), kind, cas,
                clientFingerprints, signers, rate, existing.state(), existing.revision() + 1);
        publish(bootstrap, topic, party);
        System.out.printf("%s %s (revision %d, %s)%n", existing == null ? "registered" : "updated", id, party.revision(),
                party.state());
    }

    private static void changeState(String bootstrap, String topic, String id, RelyingParty.State state) throws Exception {
        RegistryTopic.ensure(bootstrap, topic);
        RelyingParty existing = RegistryTopic.readAll(bootstrap, topic).get(id);
        if (existing == null) {
            throw usageError("no relying party " + id);
        }
        if (existing.state() == state) {
            System.out.printf("%s is already %s%n", id, state);
            return;
        }
        publish(bootstrap, topic, existing.withState(state));
        System.out.printf("%s %s (revision %d)%n", id, state, existing.revision() + 1);
    }

    private static void list(String bootstrap, String topic) {
        RegistryTopic.ensure(bootstrap, topic);
        new TreeMap<>(RegistryTopic.readAll(bootstrap, topic)).values().forEach(p -> System.out.printf(
                "%-24s %-9s %-23s %-27s rate=%-6s clientCerts=%d signerCerts=%d rev=%d  %s%n", p.id(), p.state(), p.kind(),
                p.entitledCas(), p.requestsPerSecond() == null ? "-" : p.requestsPerSecond(),
                p.clientCertificateSha256().size(), p.requestSignerCertificates().size(), p.revision(), p.name()));
    }

    /**
     * The daily usage report: every replica's counts for the day (Japan time) from the usage topic,
     * summed per caller, restarted and stopped replicas included. Replicas named with
     * {@code --management} are first asked to publish what they counted since their last publication.
     */
    private static void usage(String bootstrap, Map<String, List<String>> options) throws IOException, InterruptedException {
        LocalDate day;
        try {
            day = options.containsKey("day") ? LocalDate.parse(one(options, "day")) : LocalDate.now(Usage.JAPAN);
        } catch (java.time.format.DateTimeParseException e) {
            throw usageError("--day takes YYYY-MM-DD");
        }
        String service = options.containsKey("service") ? one(options, "service") : null;
        if (service != null && !List.of("ocsp-responder", "crl-publisher").contains(service)) {
            throw usageError("--service takes ocsp-responder or crl-publisher");
        }
        HttpClient http = HttpClient.newHttpClient();
        for (String management : options.containsKey("management") ? one(options, "management").split(",") : new String[0]) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(management.replaceAll("/$", "") + "/admin/relying-parties/usage/publish"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 204 && response.statusCode() != 404) { // 404: every CA open there, nothing counted
                throw new IllegalStateException(management + " could not publish its usage: HTTP " + response.statusCode());
            }
        }
        String topic = System.getenv().getOrDefault("INKAN_RELYING_PARTY_USAGE_TOPIC", UsageTopic.TOPIC);
        Map<String, Usage.Counts> sums = UsageTopic.report(bootstrap, topic, day, service);
        System.out.printf("usage on %s (Asia/Tokyo)%s%n%-24s %10s %10s %12s%n", day, service == null ? "" : ", " + service,
                "caller", "queries", "refusals", "rate-limited");
        sums.forEach((caller, sum) -> System.out.printf("%-24s %10d %10d %12d%n", caller, sum.queries(), sum.refusals(),
                sum.rateLimited()));
    }

    private static void publish(String bootstrap, String topic, RelyingParty party) throws Exception {
        List<String> problems = party.problems();
        if (!problems.isEmpty()) {
            throw usageError(String.join("; ", problems));
        }
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, party.id(), RegistryTopic.JSON.writeValueAsString(party))).get();
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw usageError("cannot read " + file);
        }
    }

    private static Map<String, List<String>> options(String[] args) {
        Map<String, List<String>> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw usageError("expected --option value, got " + args[i]);
            }
            options.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
        }
        return options;
    }

    private static String one(Map<String, List<String>> options, String name) {
        List<String> values = options.get(name);
        if (values == null || values.size() != 1 || values.get(0).isBlank()) {
            throw usageError("--" + name + " is required once");
        }
        return values.get(0);
    }

    private static IllegalArgumentException usageError(String message) {
        System.err.println("relying-party: " + message);
        System.exit(2);
        return new IllegalArgumentException(message);
    }
}
