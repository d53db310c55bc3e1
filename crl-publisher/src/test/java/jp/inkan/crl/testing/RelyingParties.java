package jp.inkan.crl.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jp.inkan.common.CertificateType;
import jp.inkan.common.relyingparty.RegistryTopic;
import jp.inkan.common.relyingparty.RelyingParty;
import jp.inkan.testing.ExternalTool;
import jp.inkan.testing.LocalEnv;
import jp.inkan.testing.Pem;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** The sample relying parties of deploy/local/pki.sh on the tests' registry topic, and curl as one of them. */
public final class RelyingParties {

    public static final String TOPIC = "inkan.relying-parties.crl-test";
    /** A usage topic of this run's own, so earlier runs' counts are not in the report. */
    public static final String USAGE_TOPIC = "inkan.relying-party-usage.crl-test-" + System.currentTimeMillis();

    private RelyingParties() {
    }

    public static Path dir() {
        return Path.of(LocalEnv.env().get("INKAN_PKI_DIR")).resolve("relying-parties");
    }

    public static void registerDev(String bootstrap) {
        RegistryTopic.ensure(bootstrap, TOPIC);
        register(bootstrap, "auth-verifier", RelyingParty.Kind.AUTHENTICATION_VERIFIER, Set.of(CertificateType.AUTHENTICATION),
                RelyingParty.State.ACTIVE, 1);
        register(bootstrap, "sig-verifier", RelyingParty.Kind.SIGNATURE_VERIFIER, Set.of(CertificateType.SIGNATURE),
                RelyingParty.State.ACTIVE, 1);
    }

    /** Writes the party's whole record, as the operator command does. */
    public static void register(String bootstrap, String id, RelyingParty.Kind kind, Set<CertificateType> cas,
                                RelyingParty.State state, long revision) {
        try {
            X509Certificate client = Pem.certificate(Files.readString(dir().resolve(id + ".pem")));
            RelyingParty party = new RelyingParty(RelyingParty.SCHEMA, id, id, kind, cas,
                    List.of(RelyingParty.fingerprint(client.getEncoded())), List.of(), null, state, revision);
            if (!party.problems().isEmpty()) {
                throw new IllegalArgumentException(party.problems().toString());
            }
            Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(TOPIC, id, RegistryTopic.JSON.writeValueAsString(party))).get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot register " + id, e);
        }
    }

    public static int httpsPort() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    /** curl over HTTPS with {@code party}'s client certificate (or none) to {@code out}: the HTTP status. */
    public static String curl(String path, String party, Path out) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", out.toString(), "-w", "%{http_code}",
                "--cacert", LocalEnv.env().get("INKAN_PKI_DIR") + "/service-ca.pem"));
        if (party != null) {
            command.addAll(List.of("--cert", dir().resolve(party + ".pem").toString(), "--key",
                    dir().resolve(party + ".key").toString()));
        }
        command.add("https://localhost:" + httpsPort() + path);
        ExternalTool.Result result = ExternalTool.run(command.toArray(String[]::new));
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": " + result.output());
        }
        return result.output().trim();
    }

    /** A CRL as the given party downloads it with curl --cert (fails unless 200). */
    public static byte[] fetch(String path, String party) {
        try {
            Path out = Files.createTempFile("crl", ".der");
            String status = curl(path, party, out);
            if (!status.equals("200")) {
                throw new AssertionError(path + " as " + party + " answered " + status);
            }
            byte[] der = Files.readAllBytes(out);
            Files.delete(out);
            return der;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
